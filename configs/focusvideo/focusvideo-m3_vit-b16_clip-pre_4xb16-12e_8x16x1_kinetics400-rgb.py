# Table 3a M3 (K400 83.9): M2 + the parameter-free interaction; no local spatio-temporal layer.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(local_st_modeling=False))
