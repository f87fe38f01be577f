# CSA, ViT-B (VideoMAE K400) on AVA v2.2: 16x4 clips, keyframe decoding, 15 actor queries, 6 + 6 layers; released
# settings (docs/csa.md). Paper: 32.9 mAP (Table 5).
_base_ = ['../_base_/models/csa_vit-b_ava.py', '../_base_/datasets/ava22_keyframe-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_len, frame_interval = 16, 4
model = dict(
    backbone=dict(num_frames=clip_len, init_cfg=dict(
        type='Pretrained', prefix='backbone.',
        checkpoint='checkpoints/vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400_20221013-860a3cd3.pth')),
    num_frames=clip_len)
# the ViT pyramid trains at the backbone's lr (the training code groups it with the backbone)
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=dict(neck=dict(lr_mult=0.1))))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleAVAFrames', clip_len=clip_len, frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 288)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='AspectRandomCrop', size=256),
    dict(type='HSVJitter', hue=10, saturation=102, value=102),
    dict(type='PCALighting'),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleAVAFrames', clip_len=clip_len, frame_interval=frame_interval, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]))
test_dataloader = val_dataloader
