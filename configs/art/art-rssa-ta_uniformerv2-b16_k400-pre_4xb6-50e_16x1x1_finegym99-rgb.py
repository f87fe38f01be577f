# Table IV (4) = Table V (1), baseline + RSSA + text-weighted tracklet aggregation (eq. 9); no MTC, frozen S^0.
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(loss_mtc=None, finetune_losses=[]))
