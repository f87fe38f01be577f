# Table IV (1), the baseline: UniFormerV2's video feature x_cls classified alone (ARTHead builds nothing else).
_base_ = ['./art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py']
model = dict(cls_head=dict(rssa=False))
custom_hooks = []  # no text bank
