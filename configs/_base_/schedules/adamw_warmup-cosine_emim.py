# EMIM's official optimisation (docs/emim.md, "Recipe"): AdamW (0.9, 0.999), weight decay 0.05 except every
# 1-D parameter (biases, norms: ZERO_WD_1D_PARAM), gradients clipped at 20, mixed precision on accelerators;
# linear warm-up from 1e-6 then cosine to 1e-6, per iteration. lr, epochs and warm-up are set per dataset.
optim_wrapper = dict(
    type='DeviceAmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.),
    clip_grad=dict(max_norm=20, norm_type=2))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=60, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.005, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=55, eta_min=1e-6, by_epoch=True, begin=5, end=60,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
