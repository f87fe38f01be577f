# A small 3D ResNet (MMAction2's ResNet3d, depth 18, 16 base channels) trained from scratch on the motion demo
# written to files (tools/data/generate_motion_demo.py), read by MMAction2's VideoDataset. The online
# counterpart, which needs no files, is r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_video.py',
    '../_base_/models/r3d_r18-w16_motion-demo.py', '../_base_/schedules/adamw_warmup-cosine_30e_motion-demo.py'
]

custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2, save_best='auto'))
# Epoch-wise reseeding makes a resumed run repeat the uninterrupted run's losses.
custom_hooks = [dict(type='EpochSeedHook')]
randomness = dict(seed=0, deterministic=False)
