# Table 5: 5x5 windows, EMIM in stage 3 only (stage 4 keeps global attention at 7x7).
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(emim_stages=(3, ), window_size=5))
