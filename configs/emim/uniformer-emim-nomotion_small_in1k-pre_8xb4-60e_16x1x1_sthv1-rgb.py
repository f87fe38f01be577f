# Table 7: without the motion feature (the affinity only aggregates values).
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(with_motion=False))
