# Tiny CSA on the detection flavour of the motion demo, read as ACT tubes (JHMDB / UCF101-24 style): every
# frame decoded, 4 actor queries, D 64, 1 encoder + 1 decoder layer (2 sampling points: the CPU's 3-D grid_sample
# backward dominates a step), 112 px, a 3-stage ResNet3d-18 (width 32) trained from scratch. For CI and the
# learning benchmark (benchmarks/cases, csa_demo_learning).
_base_ = ['../_base_/models/csa_vit-b.py', '../_base_/datasets/motion-demo_tube-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

clip_len = 8
model = dict(
    backbone=dict(_delete_=True, type='ResNet3d', depth=18, pretrained=None, pretrained2d=False, in_channels=3,
                  base_channels=32, num_stages=3, out_indices=(0, 1, 2), conv1_kernel=(1, 7, 7), conv1_stride_t=1,
                  pool1_stride_t=1, inflate=(1, 1, 1), spatial_strides=(1, 2, 2), temporal_strides=(1, 1, 1),
                  dilations=(1, 1, 1)),
    # levels at strides 4, 8, 16 (+ 32 from the extra conv): level -2, the decoder's grid, is 7x7 at 112 px
    neck=dict(_delete_=True, type='MultiLevelProjection3D', in_channels=(32, 64, 128), out_channels=64, num_levels=4,
              num_groups=16),
    num_classes=12, num_queries=4, num_frames=clip_len, embed_dims=64,
    encoder=dict(num_layers=1,
                 layer_cfg=dict(self_attn_cfg=dict(num_points=2), ffn_cfg=dict(feedforward_channels=256))),
    # LN weight 1 (official) makes the logits, a channel mean of LN(q), exactly 0 with no gradient into the CDL
    # at the start (docs/csa.md "Tiny-data levers"); a spread weight lets a short schedule learn classes
    decoder=dict(num_layers=1, feedforward_channels=256,
                 init_cfg=dict(type='Normal', layer=[],
                               override=dict(type='Normal', name='class_norm', mean=1.0, std=0.5))))
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='VideoDecode'),
    dict(type='TubeRandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='TubeResize', scale=(112, 112), keep_ratio=False),
    # no flip: it swaps the demo's left / right and rotation labels (docs/csa.md, "Learning on the demo data")
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='VideoDecode'),
    dict(type='TubeResize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
train_dataloader = dict(batch_size=2, dataset=dict(clip_len=clip_len, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(clip_len=clip_len, pipeline=test_pipeline))
test_dataloader = val_dataloader
# every query x class per frame, as CSA's evaluation; our Viterbi linking: demo actors move fast
# (docs/detection_eval.md)
val_evaluator = [
    dict(type='FrameMAP', ann_file={{_base_.ann_file}}, max_dets_per_frame=None),
    dict(type='VideoMAP', ann_file={{_base_.ann_file}}, linking='viterbi', max_dets_per_frame=None)
]
test_evaluator = val_evaluator
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, begin=0, end=max_epochs, milestones=[10], gamma=0.1)
]
# from scratch: the backbone learns at the transformer's rate; the anchors (inverse-sigmoid boxes) at 10x, or a
# few hundred steps leave them at their random init (docs/csa.md "Tiny-data levers")
optim_wrapper = dict(paramwise_cfg=dict(custom_keys=dict(backbone=dict(lr_mult=1.0), anchors=dict(lr_mult=10.0))))
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=1), logger=dict(interval=10))
custom_hooks = [dict(type='EpochSeedHook')]
randomness = dict(seed=0)
