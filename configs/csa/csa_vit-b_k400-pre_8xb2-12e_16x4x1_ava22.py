# CSA, ViT-B (VideoMAE K400) on AVA v2.2: 16x4 clips, keyframe decoding, 15 actor queries, 6 + 6 layers; released
# settings (docs/csa.md). Paper: 32.9 mAP (Table 5).
_base_ = ['../_base_/models/csa_vit-b.py', '../_base_/datasets/ava22_keyframe-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_len, frame_interval = 16, 4
model = dict(
    backbone=dict(num_frames=clip_len, init_cfg=dict(
        type='Pretrained', prefix='backbone.',
        checkpoint='checkpoints/vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400_20221013-860a3cd3.pth')),
    num_classes=80, num_queries=15, num_frames=clip_len, mode='keyframe',
    encoder=dict(num_layers=6), decoder=dict(num_layers=6),
    criterion=dict(
        assign_per='frame',
        assigner=dict(type='HungarianAssigner', match_costs=[
            dict(type='ActorConfidenceCost', weight=12.0), dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
            dict(type='IoUCost', iou_mode='giou', weight=2.0)]),
        loss_weights=dict(cls=10.0, bbox=5.0, giou=2.0, conf=1.0), no_object_weight=0.1, label_smoothing=0.1,
        class_on_actor=False))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleAVAFrames', clip_len=clip_len, frame_interval=frame_interval),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(-1, 288)),
    dict(type='RandomCrop', size=256),
    dict(type='Flip', flip_ratio=0.5),
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
