# Table 3a M2 (K400 83.5): global branch + the QP layer on each block's tokens; no interaction, no local layer.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(interaction='none', local_st_modeling=False))
