# EMIM-B, 16 frames, on Something-Something V2 from the Kinetics-400 EMIM-B (paper Tables 1-3).
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-60e_16x1x1_sthv2-rgb.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.3))
load_from = 'work_dirs/uniformer-emim_base_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
