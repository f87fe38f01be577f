# AVA v2.2 for one-pass keyframe detectors (CSA): MMAction2's AVADataset / AVAMetric on rawframes, no person
# proposals (the detector predicts its own boxes). CSA's training augmentation (docs/csa.md, "Recipe"): frames
# sampled without jitter, short side 288, flip, an aspect-preserving random crop of short side 256, HSV jitter
# (hue +-10, saturation / value +-102), PCA lighting; test: short side 256, the whole frame.
dataset_type = 'AVADataset'
data_root = 'data/ava/rawframes'
anno_root = 'data/ava/annotations'
ann_file_train = f'{anno_root}/ava_train_v2.2.csv'
ann_file_val = f'{anno_root}/ava_val_v2.2.csv'
exclude_file_train = f'{anno_root}/ava_train_excluded_timestamps_v2.2.csv'
exclude_file_val = f'{anno_root}/ava_val_excluded_timestamps_v2.2.csv'
label_file = f'{anno_root}/ava_action_list_v2.2_for_activitynet_2019.pbtxt'
clip_len, frame_interval = 32, 2
train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len, frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 288)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='AspectRandomCrop', size=256),
    dict(type='HSVJitter', hue=10, saturation=102, value=102),
    dict(type='PCALighting'),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='SampleAVAFrames', clip_len=clip_len, frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=2, num_workers=8, persistent_workers=True, sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file_train, exclude_file=exclude_file_train, label_file=label_file,
                 pipeline=train_pipeline, data_prefix=dict(img=data_root)))
val_dataloader = dict(
    batch_size=1, num_workers=8, persistent_workers=True, sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file_val, exclude_file=exclude_file_val, label_file=label_file,
                 pipeline=val_pipeline, data_prefix=dict(img=data_root), test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AVAMetric', ann_file=ann_file_val, label_file=label_file, exclude_file=exclude_file_val)
test_evaluator = val_evaluator
