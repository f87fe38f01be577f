# Table 6: non-sliding windows (our reading: the fixed 7x7 block containing the query; docs/emim.md).
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(sampling='block'))
