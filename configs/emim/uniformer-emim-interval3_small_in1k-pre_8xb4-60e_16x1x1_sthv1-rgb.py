# Table 11: keys and values from frame t + 3.
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(temporal_interval=3))
