# The UniFormer-S baseline of Table 4 (no EMIM), the EMIM-S K400 recipe.
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py']

model = dict(backbone=dict(placement='O-O'))
