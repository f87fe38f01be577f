# The EMIM recipe (paper section 4.1): AdamW (momentum 0.9), weight decay 0.05, batch 32, linear warm-up then
# cosine; lr, epochs and warm-up are set per dataset. The RPB has no weight decay (official no_weight_decay).
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(custom_keys={'.rpb': dict(decay_mult=0.)}))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=60, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=55, eta_min=1e-6, by_epoch=True, begin=5, end=60,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=32)
