# Video-FocalNet-S on Kinetics-400 (paper: 81.4 top-1), FocalNet-S (SRF) init, 8 GPUs x 8 clips.
_base_ = ['./videofocalnet_tiny_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py']
total_batch = 64
model = dict(backbone=dict(arch='small', drop_path_rate=0.3, pretrained='data/pretrained/focalnet_small_srf.pth'))
optim_wrapper = dict(optimizer=dict(lr=0.1 * total_batch / 512))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=120, eta_min=0.1 * total_batch / 512 * 0.01, by_epoch=True, begin=0,
         end=120, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=total_batch)
