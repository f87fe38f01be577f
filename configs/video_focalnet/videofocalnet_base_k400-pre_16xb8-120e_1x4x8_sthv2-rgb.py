# Video-FocalNet-B on Something-Something V2 (paper: 71.1 top-1), initialised from the Kinetics-400 model,
# 16 GPUs x 8 clips, no flip.
_base_ = ['./videofocalnet_base_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py']
total_batch = 128
model = dict(
    backbone=dict(pretrained='data/pretrained/videofocalnet_base_kinetics400.pth'),
    cls_head=dict(num_classes=174),
    data_preprocessor=dict(blending=dict(augments=[dict(type='MixupBlending', alpha=0.8, num_classes=174),
                                                   dict(type='CutmixBlending', alpha=1.0, num_classes=174)])))
optim_wrapper = dict(optimizer=dict(lr=0.1 * total_batch / 512))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=120, eta_min=0.1 * total_batch / 512 * 0.01, by_epoch=True, begin=0,
         end=120, convert_to_iter_based=True),
]
auto_scale_lr = dict(base_batch_size=total_batch)
data_root = 'data/sthv2/videos'
data_root_val = 'data/sthv2/videos'
# No flip: it would swap left/right in labels such as 'pushing something from left to right'.
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='UniformSample', clip_len=8, num_clips=1),
    dict(type='VideoDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='RandomResizedCrop', area_range=(0.08, 1.0), aspect_ratio_range=(3 / 4, 4 / 3)),
    dict(type='Resize', scale=(224, 224), keep_ratio=False),
    dict(type='ClipColorJitter', prob=0.8, brightness=0.4, contrast=0.4, saturation=0.2, hue=0.1),
    dict(type='TorchVisionWrapper', op='RandomGrayscale', p=0.2),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline, ann_file='data/sthv2/sthv2_train_list_videos.txt', data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file='data/sthv2/sthv2_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
test_dataloader = dict(dataset=dict(ann_file='data/sthv2/sthv2_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
