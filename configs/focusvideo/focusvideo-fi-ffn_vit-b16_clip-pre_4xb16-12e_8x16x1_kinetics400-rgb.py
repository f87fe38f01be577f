# Table 3d 'Attention + FFN' (K400 83.2): the block's frozen MLP also applied to the interacted queries.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(interaction='attention_ffn'))
