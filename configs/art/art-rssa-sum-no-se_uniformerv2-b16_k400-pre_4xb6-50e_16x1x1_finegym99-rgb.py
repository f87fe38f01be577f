# Table IV (3), baseline + RSSA without the spatial semantic enhancement (eq. 1): tokens and semantics are only
# projected to d before the region queries attend.
_base_ = ['./art-rssa-sum_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(spatial_enhancement=False))
