# Something-Something V2 as ST-Adapter trains on it (FocusVideo's paper is silent): 16 frames sampled
# uniformly, RandAugment (magnitude 7, 4 ops), no flip (it would swap left/right labels); test 1 clip x 3 crops.
_base_ = ['./focusvideo_kinetics400.py']
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
feature_dir = 'data/sthv2/focusvideo_targets'
num_frames = 16

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='LoadFrameFeatureTargets', feature_dir=feature_dir),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop'),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='TorchVisionWrapper', op='RandAugment', magnitude=7, num_ops=4),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=('recon_target', )),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root),
                                     pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root),
                                   pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root),
                                    pipeline=test_pipeline))
