# Table VI (3): the bank fine-tuned by the prototype consistency loss alone (eqs. 15-16).
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(finetune_losses=['prototype']))
