# FocusVideo's global branch alone on CLIP ViT-B/16 (Table 3a M1: 82.4; ST-Adapter itself reports 82.0 with its
# released K400 preset, adapters before the MLP: add model.backbone.adapter_positions="('pre_mlp',)"). It is the
# model whose per-frame features are the B/16 Kinetics-400 offline targets (docs/focusvideo.md, "Offline targets"):
#   python tools/extract_features.py THIS_CONFIG CKPT data/kinetics400/focusvideo_targets_vit-b16
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        arch='ViT-B/16',
        num_frames=8,
        adapter_positions=('pre_attn', ),
        adapter_channels=384,
        pretrained={{_base_.model.backbone.pretrained}}),
    cls_head=dict(query_supervision='none'))
# No reconstruction targets: the dataset's training pipeline without LoadFrameFeatureTargets.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoInit'),
    dict(type='SampleFrames', clip_len=8, frame_interval=16, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='RandomRescale', scale_range=(224, 258), interpolation='bicubic'),
    dict(type='RandomCrop', size=224),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]))
