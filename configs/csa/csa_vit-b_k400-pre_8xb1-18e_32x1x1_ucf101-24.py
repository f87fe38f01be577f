# CSA, ViT-B (K400 VideoMAE) on UCF101-24 (corrected annotations, split 1): 32-frame clips centred on each video,
# 15 actor queries per frame, 3 + 3 layers; released settings, the ViT-B UCF training recipe (docs/csa.md). Paper: f-mAP 85.9,
# v-mAP@0.5 61.7 (Table 5); 117.8M parameters, 3.73 TFLOPs per 32-frame tube at 256x360 (Table 6).
_base_ = ['../_base_/models/csa_vit-b.py', '../_base_/datasets/ucf101-24_tube-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_len = 32
ann_file = 'data/ucf101_24/UCF101v2-GT.pkl'
model = dict(
    # MMAction2's VideoMAE ViT-B K400 checkpoint from a local file (docs/csa.md: this, or the released CSA weights)
    backbone=dict(num_frames=clip_len, init_cfg=dict(
        type='Pretrained', prefix='backbone.',
        checkpoint='checkpoints/vit-base-p16_videomae-k400-pre_16x4x1_kinetics-400_20221013-860a3cd3.pth')),
    num_classes=24, num_queries=15, num_frames=clip_len)
train_dataloader = dict(batch_size=1, dataset=dict(clip_len=clip_len))
val_dataloader = dict(batch_size=1, dataset=dict(clip_len=clip_len))
test_dataloader = val_dataloader
# CSA's evaluate_ucf.py: frames with every query x class (TF-OD-API Pascal = 'voc'); videos with each query's
# argmax class where p_actor >= 0.7, linked by CSA's rules ('csa'); docs/detection_eval.md
val_evaluator = [dict(type='FrameMAP', ann_file=ann_file, convention='voc', max_dets_per_frame=None),
                 dict(type='VideoMAP', ann_file=ann_file, convention='csa', max_dets_per_frame=None,
                      argmax_class_only=True, actor_score_thr=0.7)]
test_evaluator = val_evaluator
# The training code's ViT-B UCF recipe: 18 epochs, x0.1 at 16, lr 2e-4 (backbone and its pyramid 2e-5), weight
# decay 2e-4, 4 warm-up epochs from 2e-6
max_epochs = 18
train_cfg = dict(max_epochs=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4, weight_decay=2e-4),
                     paramwise_cfg=dict(custom_keys=dict(neck=dict(lr_mult=0.1))))
param_scheduler = [
    dict(type='LinearWarmupFromLR', start_lr=2e-6, by_epoch=True, begin=0, end=4, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[16], gamma=0.1)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
