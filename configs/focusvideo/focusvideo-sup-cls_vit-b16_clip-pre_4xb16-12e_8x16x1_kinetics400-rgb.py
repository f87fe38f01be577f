# Table 3f 'Cls Cross entropy' (K400 83.5): a Linear on the pooled queries, cross-entropy with the labels.
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(cls_head=dict(query_supervision='cls'))
