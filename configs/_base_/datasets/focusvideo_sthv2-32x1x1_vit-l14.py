# focusvideo_sthv2-32x1x1 with the offline targets of ST-Adapter-L/14 (M1), width 1024 (docs/focusvideo.md, "Offline targets").
_base_ = ['./focusvideo_sthv2-32x1x1.py']
num_frames = 32
feature_dir = 'data/sthv2/focusvideo_targets_vit-l14'
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='LoadFrameFeatureTargets', feature_dir=feature_dir),
    dict(type='VideoDecode'),
    # timm's rand-m7-n4-mstd0.5-inc1 on the whole frames, one draw per clip, then the crop (ST-Adapter's order)
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False, interpolation='bicubic'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=('recon_target', )),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
