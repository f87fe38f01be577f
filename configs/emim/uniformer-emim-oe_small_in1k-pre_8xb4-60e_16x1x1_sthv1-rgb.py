# Table 8: placement O-E (E: EMIM, O: the original attention, for each pair of successive blocks).
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(placement='O-E'))
