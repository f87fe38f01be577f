# EMIM-B32 on Something-Something V2 from the K400 B32 model (paper Table 1); official run: drop-path 0.45,
# test 2 clips x 3 crops.
_base_ = ['./uniformer-emim_base_k400-pre_8xb4-50e_16x1x1_sthv2-rgb.py']

model = dict(backbone=dict(drop_path_rate=0.45))
load_from = 'work_dirs/uniformer-emim_base_in1k-pre_8xb4-110e_32x4x1_kinetics400-rgb/best.pth'
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=32, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    {{_base_.erasing}},
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
# official B32 test: 2 clips x 3 crops
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=32, num_clips=2, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
