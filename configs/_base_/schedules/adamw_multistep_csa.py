# CSA's training code (docs/csa.md, "Recipe"): AdamW lr 1e-4, backbone lr x0.1, weight decay 1e-4, gradient clip
# 0.1; every group warmed up linearly from the same absolute lr (LinearWarmupFromLR), then x0.1 at the milestones
# (absolute epochs: MultiStepLR counts them from its `begin`, so it begins at 0). Configs set the numbers.
max_epochs = 12
warmup_epochs = 3
milestones = [8, 11]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=0.1))),
    clip_grad=dict(max_norm=0.1, norm_type=2))
param_scheduler = [
    dict(type='LinearWarmupFromLR', start_lr=1e-5, by_epoch=True, begin=0, end=warmup_epochs,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=milestones, gamma=0.1)
]
# The released code trains on 8 GPUs x 2 clips (AVA); scale the lr with --auto-scale-lr on other setups.
auto_scale_lr = dict(enable=False, base_batch_size=16)
