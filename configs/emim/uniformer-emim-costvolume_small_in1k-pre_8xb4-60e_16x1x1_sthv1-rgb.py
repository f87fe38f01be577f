# Table 10, our reading of the "traditional cost volume integration": the original global attention kept
# unchanged, the motion feature of the 7x7 next-frame cost volume added to it (docs/emim.md).
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py']

model = dict(backbone=dict(appearance='global'))
