# Video-FocalNet-B on ActivityNet-1.3 (paper: 89.8 top-1), initialised from the Kinetics-400 model.
_base_ = ['./videofocalnet_base_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py']
model = dict(
    backbone=dict(pretrained='data/pretrained/videofocalnet_base_kinetics400.pth'),
    cls_head=dict(num_classes=200),
    data_preprocessor=dict(blending=dict(augments=[dict(type='MixupBlending', alpha=0.8, num_classes=200),
                                                   dict(type='CutmixBlending', alpha=1.0, num_classes=200)])))
data_root = 'data/ActivityNet/videos'
data_root_val = 'data/ActivityNet/videos'
train_dataloader = dict(dataset=dict(ann_file='data/ActivityNet/anet_train_list_videos.txt', data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file='data/ActivityNet/anet_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
test_dataloader = dict(dataset=dict(ann_file='data/ActivityNet/anet_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
