# The demo's R3D on the motion demo rendered on the fly (no data to generate; 2400 new training clips per epoch,
# the file generator's 120 validation clips): the peer of the tiny paper models' demo configs, which inherit its
# data, views and runtime (docs/demo_learning.md).
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_online.py',
    '../_base_/models/r3d_r18-w16_motion-demo.py', '../_base_/schedules/adamw_warmup-cosine_30e_motion-demo.py'
]

custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2, save_best='auto'))
# Epoch-wise reseeding makes a resumed run repeat the uninterrupted run's losses.
custom_hooks = [dict(type='EpochSeedHook')]
randomness = dict(seed=0, deterministic=False)

train_cfg = dict(max_epochs=20)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=19, eta_min=1e-5, by_epoch=True, begin=1, end=20,
         convert_to_iter_based=True),
]
