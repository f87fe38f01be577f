# Table 3f 'None' (K400 82.7): L_cls only.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(cls_head=dict(query_supervision='none'))
