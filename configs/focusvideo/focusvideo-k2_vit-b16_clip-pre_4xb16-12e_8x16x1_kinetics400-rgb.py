# Table 3b: 2 action queries per frame (default 8).
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(backbone=dict(num_queries=2))
