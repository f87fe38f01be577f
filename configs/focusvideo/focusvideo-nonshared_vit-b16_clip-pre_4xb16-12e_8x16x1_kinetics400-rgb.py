# Table 3c 'Non-shared all layers' (K400 83.4, 46.9M local parameters): one QP layer per block.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(share_propagation=False))
