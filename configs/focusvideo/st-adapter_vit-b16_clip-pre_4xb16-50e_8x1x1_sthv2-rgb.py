# FocusVideo's global branch alone on CLIP ViT-B/16, Something-Something V2 (Table 3a M1: 66.8; ST-Adapter's SSv2
# preset: adapters before attention and the MLP): the producer of the B/16 SSv2 offline targets:
#   python tools/extract_features.py THIS_CONFIG CKPT data/sthv2/focusvideo_targets_vit-b16
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-50e_8x1x1_sthv2-rgb.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        arch='ViT-B/16',
        num_frames=8,
        adapter_positions=('pre_attn', 'pre_mlp'),
        adapter_channels=384,
        pretrained={{_base_.model.backbone.pretrained}}),
    cls_head=dict(query_supervision='none'))
# No reconstruction targets: the dataset's training pipeline without LoadFrameFeatureTargets.
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=8, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='ClipRandAugment', config_str='rand-m7-n4-mstd0.5-inc1'),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False, interpolation='bicubic'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]))
