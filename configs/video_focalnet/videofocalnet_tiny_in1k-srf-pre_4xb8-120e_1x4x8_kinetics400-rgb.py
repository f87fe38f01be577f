# Video-FocalNet-T on Kinetics-400 (paper: 79.8 top-1, 4x3 views), ImageNet-1k FocalNet-T (SRF) init.
_base_ = [
    '../_base_/models/video-focalnet_tiny.py', '../_base_/datasets/video-focalnet_kinetics400.py',
    '../_base_/schedules/sgd-nesterov_warmup20-cosine_120e.py', 'mmaction::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(backbone=dict(pretrained='data/pretrained/focalnet_tiny_srf.pth'))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
