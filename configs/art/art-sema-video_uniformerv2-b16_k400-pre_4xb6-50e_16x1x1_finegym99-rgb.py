# Table VI (2): the bank fine-tuned by the video consistency loss alone (eqs. 13-14).
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(finetune_losses=['video']))
