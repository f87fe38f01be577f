# CSA, ViT-B (K400 VideoMAE) on JHMDB51-21 split 1: each video one 40-frame clip, 5 actor queries per frame,
# 3 + 3 layers; released settings (docs/csa.md). Paper: f-mAP 86.9, v-mAP@0.5 88.5 (Table 5);
# 117.8M parameters, 3.26 TFLOPs per 40-frame tube at 256x360 (Table 6).
_base_ = ['../_base_/models/csa_vit-b.py', '../_base_/datasets/jhmdb51-21_tube-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_len = 40
model = dict(
    # MMAction2's VideoMAE ViT-B K400 checkpoint from a local file (docs/csa.md: this, or the released CSA weights)
    backbone=dict(num_frames=clip_len, init_cfg=dict(
        type='Pretrained', prefix='backbone.',
        checkpoint='checkpoints/vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400_20221013-860a3cd3.pth')),
    num_classes=21, num_queries=5, num_frames=clip_len,
    # the released JHMDB loss scores classes on the real frames only, divided by their number
    criterion=dict(cls_normalizer='valid_frames'))
train_dataloader = dict(batch_size=1, dataset=dict(clip_len=clip_len))
val_dataloader = dict(batch_size=1, dataset=dict(clip_len=clip_len))
test_dataloader = val_dataloader
# CSA's evaluate_jhmdb.py: every query x class; ST-IoU without the temporal factor; docs/detection_eval.md
ann_file = 'data/jhmdb/JHMDB-GT.pkl'
val_evaluator = [dict(type='FrameMAP', ann_file=ann_file, convention='voc', max_dets_per_frame=None),
                 dict(type='VideoMAP', ann_file=ann_file, convention=dict(base='csa', temporal_iou=None),
                      max_dets_per_frame=None)]
test_evaluator = val_evaluator
# The training code's ViT-B JHMDB recipe: 350 epochs, x0.1 at 300, lr 2e-4 (backbone and its pyramid 2e-5), weight
# decay 2e-4, 10 warm-up epochs from 2e-6
max_epochs = 350
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4, weight_decay=2e-4),
                     paramwise_cfg=dict(custom_keys=dict(neck=dict(lr_mult=0.1))))
param_scheduler = [
    dict(type='LinearWarmupFromLR', start_lr=2e-6, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[300], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
