# The tiny CSA of csa_r18-tiny_..._motion-demo-tube.py on the larger detection demo (120 training and 24 test
# videos of 24 frames: `generate_motion_demo.py data/motion_demo_det_large --flavour detection --det-train 120
# --det-val 24 --det-num-frames 24`), 10 epochs at lr 1e-3 (2e-4, the released JHMDB rate, left the from-scratch
# model far from converged in 600 steps: docs/csa.md); the learning benchmark (csa_demo_learning) reports
# class-agnostic frame-AP beside frame- and video-mAP.
_base_ = ['./csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py']

data_root = 'data/motion_demo_det_large/detection'
ann_file = f'{data_root}/motion_demo-GT.pkl'
train_dataloader = dict(dataset=dict(ann_file=ann_file, data_prefix=dict(video=f'{data_root}/videos')))
val_dataloader = dict(dataset=dict(ann_file=ann_file, data_prefix=dict(video=f'{data_root}/videos')))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='FrameMAP', ann_file=ann_file, max_dets_per_frame=None, class_agnostic=True),
    dict(type='VideoMAP', ann_file=ann_file, linking='viterbi', max_dets_per_frame=None)
]
test_evaluator = val_evaluator
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[8], gamma=0.1)
]
