# EMIM-B16 on Something-Something V2 from the K400 model (paper Table 1); official run: drop-path 0.4.
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-50e_16x1x1_sthv2-rgb.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.4))
load_from = 'work_dirs/uniformer-emim_base_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
