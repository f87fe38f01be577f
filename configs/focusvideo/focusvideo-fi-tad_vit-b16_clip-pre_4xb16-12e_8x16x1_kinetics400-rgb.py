# Table 3d 'Attention + T-AD' (K400 82.7): the block's ST-Adapter also applied to the queries.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(interaction='attention_tad'))
