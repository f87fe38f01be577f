# Table V (4): RSSA + TA with L_tracklet alone (frozen S^0).
_base_ = ['./art-rssa-ta-mtc_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(loss_mtc=dict(spatial=False, temporal=False, tracklet=True)))
