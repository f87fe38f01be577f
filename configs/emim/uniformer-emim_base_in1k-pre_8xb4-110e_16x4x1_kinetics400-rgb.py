# EMIM-B, 16 frames, on Kinetics-400 from ImageNet-1k UniFormer-B (paper Table 2); test 4 clips x 3 crops.
_base_ = ['./uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py']

model = dict(backbone=dict(arch='b', drop_path_rate=0.3, pretrained='data/pretrained/uniformer_base_in1k.pth'))
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=16, frame_interval=4, num_clips=4, test_mode=True),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_dataloader = dict(dataset=dict(pipeline=test_pipeline))
