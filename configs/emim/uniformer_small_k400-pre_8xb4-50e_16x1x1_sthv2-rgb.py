# The UniFormer-S baseline of Table 4 on Something-Something V2 (no EMIM), from the UniFormer-S K400 model.
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-50e_16x1x1_sthv2-rgb.py']

model = dict(backbone=dict(placement='O-O'))
load_from = 'work_dirs/uniformer_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
