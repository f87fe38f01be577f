# The built-in motion-only demo dataset (tools/data/generate_motion_demo.py), read as videos.
# Classes differ only in how the actor moves, so no flip: it would swap left/right and the
# rotation sense, i.e. the labels.
dataset_type = 'VideoDataset'
data_root = 'data/motion_demo/classification'
clip_len, frame_interval, test_clips = 8, 2, 3

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0), aspect_ratio_range=(0.8, 1.25)),
    dict(type='Resize', scale=(80, 80), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 88)),
    dict(type='CenterCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
# Multi-view testing: test_clips clips x 3 crops, scores averaged by the head (average_clips).
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=test_clips,
         test_mode=True),
    dict(type='VideoDecode'),
    # The demo videos are square: stretch to 96x80 (within the training aspect range) so that the
    # three crops (left, centre, right) differ.
    dict(type='Resize', scale=(96, 80), keep_ratio=False),
    dict(type='ThreeCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=f'{data_root}/train_list.txt', data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=f'{data_root}/val_list.txt', data_prefix=dict(video=data_root),
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=f'{data_root}/val_list.txt', data_prefix=dict(video=data_root),
                 pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
