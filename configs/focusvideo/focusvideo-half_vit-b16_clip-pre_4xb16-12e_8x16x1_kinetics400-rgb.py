# Table 3c 'shared half layers' (K400 83.9): the QP layer after blocks 1, 3, ..., 11 (0-based).
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(propagation_layers='half'))
