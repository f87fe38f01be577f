# The UniFormer-S baseline of Table 4 on Something-Something V2: the same recipe and no stage-1 temporal stride, global
# attention everywhere (placement 'O-O'), from a Kinetics-400 UniFormer-S trained the same way.
_base_ = ['./uniformer-emim_small_k400-pre_8xb4-60e_16x1x1_sthv2-rgb.py']

model = dict(backbone=dict(placement='O-O'))
load_from = 'work_dirs/uniformer_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
