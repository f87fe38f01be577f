# ST-Adapter-B/16 (FocusVideo's global branch alone: Table 3a M1; Table 1 reports 82.0 for ST-Adapter, Table 3a
# 82.4 for M1). Also the model whose per-frame features are FocusVideo's offline targets:
#   python tools/extract_features.py THIS_CONFIG CKPT data/kinetics400/focusvideo_targets
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        arch='ViT-B/16',
        num_frames=8,
        adapter_positions=('pre_mlp', ),  # ST-Adapter's released K400 preset (12 x 384)
        adapter_channels=384,
        pretrained='checkpoints/clip/ViT-B-16.pt'),
    cls_head=dict(query_supervision='none'))
# No reconstruction targets: the training pipeline of the dataset file without LoadFrameFeatureTargets.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=16, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomRescale', scale_range=(224, 258)),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]))
