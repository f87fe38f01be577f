# FocusVideo's global branch alone on CLIP ViT-L/14 (Table 3a's M1 at L/14): the producer of the L/14
# Kinetics-400 offline targets (width 1024):
#   python tools/extract_features.py THIS_CONFIG CKPT data/kinetics400/focusvideo_targets_vit-l14
_base_ = ['./focusvideo_vit-l14_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        arch='ViT-L/14',
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
