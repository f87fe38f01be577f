# Kinetics-400 videos with the official Video-FocalNet pipelines (docs/video_focalnet.md, "Recipe"):
# train: 8 TSN segments, one random frame each, as one 8-frame clip; short side 256, RandomResizedCrop
# (area 0.08-1, ratio 3/4-4/3) to 224x224, flip 0.5, colour jitter (p 0.8, per frame), grayscale (p 0.2);
# val: 8 centred segments, short side 256, centre crop 224;
# test: 4 clips x 3 crops (short side 224, ThreeCrop 224), probabilities averaged by the head.
dataset_type = 'VideoDataset'
data_root = 'data/kinetics400/videos_train'
data_root_val = 'data/kinetics400/videos_val'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
ann_file_test = ann_file_val
num_segments, num_test_clips = 8, 4
flip_ratio = 0.5

train_pipeline = [
    dict(type='VideoInit'),
    # the official SampleFrames(clip_len=1, num_clips=8) gives 8 one-frame views in MMAction2: one 8-frame clip
    dict(type='UniformSample', clip_len=num_segments, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=flip_ratio),
    dict(type='ClipColorJitter', prob=0.8, brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1),
    dict(type='TorchVisionWrapper', op='RandomGrayscale', p=0.2),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_segments, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    # Official: 4 random training-style samplings; here 4 evenly offset ones (deterministic).
    dict(type='UniformSample', clip_len=num_segments, num_clips=num_test_clips, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    drop_last=True,  # official: a last small batch would be mixed mostly with itself
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file_train, data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file_val, data_prefix=dict(video=data_root_val),
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file_test, data_prefix=dict(video=data_root_val),
                 pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
