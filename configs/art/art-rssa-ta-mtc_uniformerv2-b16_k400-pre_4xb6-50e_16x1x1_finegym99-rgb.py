# Table IV (5) = Table V (6) = Table VI (1): RSSA + TA + the full MTC loss, the text bank frozen at S^0.
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(finetune_losses=[]))
