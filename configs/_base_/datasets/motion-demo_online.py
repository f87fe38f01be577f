# The motion demo rendered on the fly (MotionDemoDataset): no files, a new clip for every training sample of every
# epoch (EpochIndexSampler passes the epoch to the workers), and the file generator's validation set. Views and
# augmentation are those of motion-demo_video.py; no flip, which would swap left/right and the rotation sense.
dataset_type = 'MotionDemoDataset'
clip_len, frame_interval, test_clips = 8, 2, 3
# 200 clips per class and epoch, the size of the former generated "large" demo; 10 validation clips per class.
train_clips_per_class, val_clips_per_class = 200, 10

train_pipeline = [
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=1),
    dict(type='ArrayDecode'),  # draws the sampled frames only
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0), aspect_ratio_range=(0.8, 1.25)),
    dict(type='Resize', scale=(80, 80), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=1, test_mode=True),
    dict(type='ArrayDecode'),
    dict(type='Resize', scale=(-1, 88)),
    dict(type='CenterCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
# Multi-view testing: test_clips clips x 3 crops, scores averaged by the head (average_clips).
test_pipeline = [
    dict(type='SampleFrames', clip_len=clip_len, frame_interval=frame_interval, num_clips=test_clips,
         test_mode=True),
    dict(type='ArrayDecode'),
    dict(type='Resize', scale=(96, 80), keep_ratio=False),  # square clips: the three crops differ
    dict(type='ThreeCrop', crop_size=80),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    dataset=dict(type=dataset_type, split='train', clips_per_class=train_clips_per_class, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, split='val', clips_per_class=val_clips_per_class, pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, split='val', clips_per_class=val_clips_per_class, pipeline=test_pipeline,
                 test_mode=True))

val_evaluator = dict(type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
