# Video-FocalNet-T (docs/video_focalnet.md): 8 frames, official head (no dropout, trunc-normal 0.02),
# MixUp 0.8 / CutMix 1.0 on every batch (one switches with p 0.5), label smoothing 0.1 inside the mix.
model = dict(
    type='Recognizer3D',
    backbone=dict(type='VideoFocalNet', arch='tiny', num_frames=8, drop_path_rate=0.2),
    cls_head=dict(
        type='VideoFocalNetHead',
        in_channels=768,
        num_classes=400,
        loss_cls=dict(type='CrossEntropyLoss'),  # takes the soft targets the blending produces
        label_smooth_eps=0.1,  # applied to the mixed targets: the same as smoothing inside the mix
        average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        format_shape='NCTHW',
        blending=dict(
            type='RandomBatchAugment',
            augments=[dict(type='MixupBlending', alpha=0.8, num_classes=400),
                      dict(type='CutmixBlending', alpha=1.0, num_classes=400)],
            probs=[0.5, 0.5])),
    train_cfg=None,
    test_cfg=None)
