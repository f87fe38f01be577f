# EMIM-B, 32 frames, on Something-Something V2 from the Kinetics-400 EMIM-B32 (paper Table 1): the B16 recipe with 32
# segments.
_base_ = ['./uniformer-emim_base_k400-pre_8xb4-60e_16x1x1_sthv2-rgb.py']

load_from = 'work_dirs/uniformer-emim_base_in1k-pre_8xb4-110e_32x4x1_kinetics400-rgb/best.pth'
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=32, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomRescale', scale_range=(256, 320)),
    dict(type='RandomCrop', size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=32, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=32, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
