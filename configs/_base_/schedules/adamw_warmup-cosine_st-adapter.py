# ST-Adapter's recipe (the FocusVideo paper gives no lr, epochs or batch: "paper silent", docs/focusvideo.md):
# AdamW, weight decay 1e-2 except biases and norms (every 1-D parameter), lr 1e-3 x batch / 256, 2 warm-up epochs then cosine, mixed
# precision on accelerators (ST-Adapter trains with AMP).
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='DeviceAmpOptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3 * 64 / 256, betas=(0.9, 0.999), weight_decay=1e-2),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0, flat_decay_mult=0.0))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=10, eta_min=0, by_epoch=True, begin=2, end=12, convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=64)
