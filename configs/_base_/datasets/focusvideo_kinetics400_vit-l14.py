# focusvideo_kinetics400 with the offline targets of ST-Adapter-L/14 (M1), width 1024 (docs/focusvideo.md, "Offline targets").
_base_ = ['./focusvideo_kinetics400.py']
num_frames, frame_interval = 8, 16
feature_dir = 'data/kinetics400/focusvideo_targets_vit-l14'
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=num_frames, frame_interval=frame_interval, num_clips=1),
    dict(type='LoadFrameFeatureTargets', feature_dir=feature_dir),
    dict(type='VideoDecode'),
    dict(type='RandomRescale', scale_range=(224, 258), interpolation='bicubic'),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=('recon_target', )),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
