# EMIM-B32 on Kinetics-400 (paper Table 2): the B16 recipe with 32 x 4 clips; official run: drop-path 0.4, clip 20.
_base_ = ['./uniformer-emim_base_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py']

model = dict(backbone=dict(drop_path_rate=0.4))
optim_wrapper = dict(clip_grad=dict(max_norm=20)) 
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=32, frame_interval=4, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    {{_base_.erasing}},
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=32, frame_interval=4, num_clips=1, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='CenterCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=32, frame_interval=4, num_clips=4, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
