# Table IV (2), baseline + RSSA: tracklets summed over time ("directly adding"), concatenated with x_cls; no
# MTC loss, the text bank frozen at S^0 (Tables IV and V precede the bank fine-tuning of Table VI).
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(aggregation='sum', loss_mtc=None, finetune_losses=[]))
