# Something-Something V1 (rawframes, as released) with the same EMIM sampling and augmentation as V2.
_base_ = ['./emim_sthv2.py']
dataset_type = 'RawframeDataset'
data_root = 'data/sthv1/rawframes'
ann_file_train = 'data/sthv1/sthv1_train_list_rawframes.txt'
ann_file_val = 'data/sthv1/sthv1_val_list_rawframes.txt'
num_frames = 16

train_pipeline = [
    dict(type='UniformSample', clip_len=num_frames, num_clips=1),
    dict(type='RawFrameDecode'),
    dict(type='RandomRescale', scale_range=(256, 320)),
    dict(type='RandomCrop', size=224),
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
dataset = dict(type=dataset_type, data_prefix=dict(img=data_root), filename_tmpl='{:05}.jpg')
train_dataloader = dict(dataset=dict(dataset, ann_file=ann_file_train, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(dataset, ann_file=ann_file_val, pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(dataset, ann_file=ann_file_val, pipeline=test_pipeline))
