# Video-FocalNet-B on Kinetics-600 (paper: 86.7 top-1), FocalNet-B (SRF) init.
_base_ = ['./videofocalnet_base_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py']
model = dict(
    cls_head=dict(num_classes=600),
    data_preprocessor=dict(blending=dict(augments=[dict(type='MixupBlending', alpha=0.8, num_classes=600),
                                                   dict(type='CutmixBlending', alpha=1.0, num_classes=600)])))
data_root = 'data/kinetics600/videos_train'
data_root_val = 'data/kinetics600/videos_val'
train_dataloader = dict(dataset=dict(ann_file='data/kinetics600/kinetics600_train_list_videos.txt', data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file='data/kinetics600/kinetics600_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
test_dataloader = dict(dataset=dict(ann_file='data/kinetics600/kinetics600_val_list_videos.txt', data_prefix=dict(video=data_root_val)))
