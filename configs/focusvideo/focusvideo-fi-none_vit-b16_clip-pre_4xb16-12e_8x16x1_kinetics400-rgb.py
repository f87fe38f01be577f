# Table 3d 'None' (K400 83.8): no interaction; the QP layer attends to each block's output tokens.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(interaction='none'))
