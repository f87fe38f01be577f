# ART's data recipe (Sec. IV-A): T = 16 frames by sparse (segment) sampling, random scaling, cropping and
# horizontal flipping, 224 x 224 for training and testing. Test views are not stated: 1 clip x 3 crops
# (our choice; the Kinetics configs use UniFormerV2's 4 x 3). Dataset configs set the paths.
dataset_type = 'VideoDataset'
clip_len = 16  # T
train_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66), random_crop=False,
         max_wh_scale_gap=1, num_fixed_crops=13),  # TEA's crops: 13 fixed positions
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=clip_len, num_clips=1, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    batch_size=6,  # x 4 GPUs = the paper's 24
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file='', data_prefix=dict(video=''), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=6,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file='', data_prefix=dict(video=''), pipeline=val_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file='', data_prefix=dict(video=''), pipeline=test_pipeline,
                 test_mode=True))
# Table I reports mean per-class accuracy (acc/mean1) beside top-1.
val_evaluator = dict(type='AccMetric', metric_list=('top_k_accuracy', 'mean_class_accuracy'))
test_evaluator = val_evaluator
