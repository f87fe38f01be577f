# The R3D demo recipe on the larger motion demo (200 training clips per class instead of 40):
#   python tools/data/generate_motion_demo.py data/motion_demo_large --flavour classification --train-per-class 200
# Same clips distribution, validation set size and test views; 20 epochs because each epoch is 5x longer.
# The peer of the tiny Video-FocalNet demo config, which needs this much data (docs/video_focalnet.md).
_base_ = ['./r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py']

data_root = 'data/motion_demo_large/classification'
train_dataloader = dict(dataset=dict(ann_file=f'{data_root}/train_list.txt', data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=f'{data_root}/val_list.txt', data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=f'{data_root}/val_list.txt', data_prefix=dict(video=data_root)))

train_cfg = dict(max_epochs=20)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=19, eta_min=1e-5, by_epoch=True, begin=1, end=20,
         convert_to_iter_based=True),
]
