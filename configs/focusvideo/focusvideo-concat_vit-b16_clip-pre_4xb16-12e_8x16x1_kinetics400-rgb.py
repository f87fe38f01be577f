# Table 3e 'Concatenation + Linear' (K400 83.6).
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(cls_head=dict(fusion='concat_linear'))
