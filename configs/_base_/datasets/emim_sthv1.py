# Something-Something V1 (rawframes as released: <id>/{:05}.jpg from 1) with EMIM's Something-Something recipe.
_base_ = ['./emim_sthv2.py']
data_root = 'data/sthv1/rawframes'
ann_file_train = 'data/sthv1/sthv1_train_list_rawframes.txt'
ann_file_val = 'data/sthv1/sthv1_val_list_rawframes.txt'
num_frames = 16

train_pipeline = [
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='RawFrameDecode'),
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    {{_base_.erasing}},
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='UniformSample', clip_len=num_frames, num_clips=1, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
frames = dict(data_prefix=dict(_delete_=True, img=data_root), filename_tmpl='{:05}.jpg')
train_dataloader = dict(dataset=dict(type='RepeatAugRawframeDataset', ann_file=ann_file_train, pipeline=train_pipeline,
                                     **frames))
val_dataloader = dict(dataset=dict(type='RawframeDataset', ann_file=ann_file_val, pipeline=val_pipeline, **frames))
test_dataloader = dict(dataset=dict(type='RawframeDataset', ann_file=ann_file_val, pipeline=test_pipeline, **frames))
