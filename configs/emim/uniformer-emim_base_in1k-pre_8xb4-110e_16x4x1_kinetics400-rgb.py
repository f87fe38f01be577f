# EMIM-B16 on Kinetics-400 from ImageNet UniFormer-B (paper Table 2); official run: drop-path 0.3, clip 5.
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.3, pretrained='data/pretrained/uniformer_base_in1k.pth'))
optim_wrapper = dict(clip_grad=dict(max_norm=5))
