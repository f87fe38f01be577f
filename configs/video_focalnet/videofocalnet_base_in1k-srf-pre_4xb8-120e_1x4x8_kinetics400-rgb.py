# Video-FocalNet-B on Kinetics-400 (paper: 83.6 top-1), FocalNet-B (SRF) init, 4 GPUs x 8 clips.
_base_ = ['./videofocalnet_tiny_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py']
model = dict(
    backbone=dict(arch='base', drop_path_rate=0.5, pretrained='data/pretrained/focalnet_base_srf.pth'),
    cls_head=dict(in_channels=1024))
