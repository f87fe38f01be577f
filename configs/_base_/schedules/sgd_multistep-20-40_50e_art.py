# ART's recipe (Sec. IV-A): 50 epochs, lr 0.01 divided by 10 every 20 epochs, batch 24. The optimizer is not
# stated: SGD with momentum 0.9 and weight decay 5e-4 as TEA's official training (our choice); as in TEA's and
# UniFormerV2's code, no weight decay on norms and biases.
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.),  # every 1-D parameter
    clip_grad=dict(max_norm=20, norm_type=2))  # TEA's --gd 20
param_scheduler = [dict(type='MultiStepLR', by_epoch=True, milestones=[20, 40], gamma=0.1)]
auto_scale_lr = dict(enable=False, base_batch_size=24)
