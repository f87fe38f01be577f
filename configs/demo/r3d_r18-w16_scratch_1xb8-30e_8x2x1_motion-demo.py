# A small 3D ResNet (MMAction2's ResNet3d, depth 18, 16 base channels) trained from scratch on the
# built-in motion demo: the CPU-sized main job of the README until a paper model replaces it.
_base_ = ['mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_video.py']

custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='ResNet3d',
        depth=18,
        base_channels=16,
        pretrained=None,
        pretrained2d=False,
        conv1_kernel=(3, 7, 7),
        conv1_stride_t=1,
        pool1_stride_t=1,
        inflate=(1, 1, 1, 1),
        norm_eval=False),
    cls_head=dict(
        type='I3DHead',
        in_channels=128,
        num_classes=12,
        dropout_ratio=0.2,
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW'))

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=30, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.01),
    clip_grad=dict(max_norm=5, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=29, eta_min=1e-5, by_epoch=True, begin=1, end=30,
         convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False, base_batch_size=8)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2, save_best='auto'))
# Epoch-wise reseeding makes a resumed run repeat the uninterrupted run's losses.
custom_hooks = [dict(type='EpochSeedHook')]
randomness = dict(seed=0, deterministic=False)
