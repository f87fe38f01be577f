# Table 3c 'Only top layer' (K400 83.7): the QP layer after the last block only.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(propagation_layers='top'))
