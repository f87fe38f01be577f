# CSA's recipe (released code's configs): AdamW lr 1e-4, backbone lr 1e-5, weight decay 1e-4, gradient clip
# 0.1, linear warm-up from 1e-5, then x0.1 steps. Paper configs set max_epochs, the warm-up and the steps.
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
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=warmup_epochs, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=warmup_epochs, end=max_epochs, milestones=milestones, gamma=0.1)
]
# The released code trains on 8 GPUs x 2 clips (AVA); scale the lr with --auto-scale-lr on other setups.
auto_scale_lr = dict(enable=False, base_batch_size=16)
