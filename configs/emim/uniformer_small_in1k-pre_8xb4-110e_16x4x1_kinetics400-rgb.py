# The UniFormer-S baseline of Table 4 on Kinetics-400: the EMIM-S recipe, no stage-1 temporal stride, global
# attention everywhere (placement 'O-O').
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py']

model = dict(backbone=dict(placement='O-O'))
