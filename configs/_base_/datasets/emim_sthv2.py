# Something-Something V2 videos as EMIM's official training code reads them (docs/emim.md, "Recipe"): 16
# segments, one random frame each; each clip decoded once and augmented twice (repeated augmentation); timm
# RandAugment rand-m7-n4-mstd0.5-inc1 on the whole frames, RandomResizedCrop (area 0.08-1) to 224, random
# erasing (p 0.25, noise); no flip (it would swap left / right labels). Test: short side 224, 1 clip x 3 crops.
dataset_type = 'RepeatAugVideoDataset'
data_root = 'data/sthv2/videos'
ann_file_train = 'data/sthv2/sthv2_train_list_videos.txt'
ann_file_val = 'data/sthv2/sthv2_val_list_videos.txt'
num_frames = 16
# RandomErasing's noise in pixels: N(0, 1) after the model's normalisation (official 'pixel' mode)
erasing = dict(type='RandomErasing', erase_prob=0.25, min_area_ratio=0.02, max_area_ratio=1 / 3,
               aspect_range=(0.3, 1 / 0.3), mode='rand', fill_color=(114.75, 114.75, 114.75),
               fill_std=(57.375, 57.375, 57.375))

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    erasing,
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
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
train_dataloader = dict(
    batch_size=4,  # videos per GPU; two augmented clips of each (8 x 4 x 2 = 64 clips per step, as official)
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='repeat_pseudo_collate'),
    dataset=dict(type=dataset_type, num_repeats=2, ann_file=ann_file_train, data_prefix=dict(video=data_root),
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=ann_file_val, data_prefix=dict(video=data_root),
                 pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type='VideoDataset', ann_file=ann_file_val, data_prefix=dict(video=data_root),
                 pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator
