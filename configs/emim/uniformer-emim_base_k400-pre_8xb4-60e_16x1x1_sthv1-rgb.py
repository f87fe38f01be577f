# EMIM-B16 on Something-Something V1 from the K400 model (paper Table 3); the official code has no B16 SSv1 run:
# its B16 SSv2 drop-path (0.4).
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.4))
load_from = 'work_dirs/uniformer-emim_base_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
