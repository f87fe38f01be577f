# A CPU-sized Video-FocalNet (embed 24, depths 1-1-2-1) trained from scratch on the built-in motion demo.
# Same data and test views as the R3D demo config, 8 frames every 4 (the whole 32-frame clip).
# Known limitation (docs/video_focalnet.md): it does not yet learn this task within 30 epochs.
_base_ = ['../demo/r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='VideoFocalNet',
        arch=dict(embed_dims=24, depths=(1, 1, 2, 1), focal_levels=(2, 2, 2, 2), focal_windows=(3, 3, 3, 3)),
        num_frames=8,
        # A Conv3d stem over pairs of frames (the official code's tubelet option, off in the paper configs):
        # half the temporal tokens, so half the CPU time of the per-frame stem.
        tubelet_size=2,
        drop_path_rate=0.1),
    cls_head=dict(_delete_=True, type='VideoFocalNetHead', in_channels=192, num_classes=12, label_smooth_eps=0.1,
                  average_clips='prob'),
    # The official MixUp / CutMix: without it the tiny model memorised the 480 training clips.
    data_preprocessor=dict(blending=dict(
        type='RandomBatchAugment',
        augments=[dict(type='MixupBlending', alpha=0.8, num_classes=12),
                  dict(type='CutmixBlending', alpha=1.0, num_classes=12)],
        probs=[0.5, 0.5])))

# The multiplicative modulation (q * h_s * h_t) is unstable at the R3D demo's lr 2e-3 from scratch
# (gradient norms of 20-300, loss stuck at chance): lower lr, longer warm-up.
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.05), clip_grad=dict(max_norm=1, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=3, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=27, eta_min=1e-5, by_epoch=True, begin=3, end=30, convert_to_iter_based=True),
]

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0), aspect_ratio_range=(0.8, 1.25)),
    dict(type='Resize', scale=(80, 80), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 88)),
    dict(type='CenterCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=4, num_clips=3, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(96, 80), keep_ratio=False),
    dict(type='ThreeCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
