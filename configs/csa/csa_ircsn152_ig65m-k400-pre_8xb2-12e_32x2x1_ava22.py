# CSA, ircsn-152 (IG65M + K400) on AVA v2.2: 32x2 clips, keyframe decoding, 15 actor queries, 6 + 6 layers;
# released settings (docs/csa.md). Paper: 33.5 mAP (Table 5). The released code first trains the transformer on
# AVA with CSN-50 and initialises this run from it (docs/csa.md, "Two-stage initialisation").
_base_ = ['../_base_/datasets/ava22_keyframe-detection.py', '../_base_/schedules/adamw_multistep_csa.py',
          'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(
    type='CSADetector',
    backbone=dict(type='ResNet3dCSN', depth=152, pretrained=None, pretrained2d=False, bottleneck_mode='ir',
                  out_indices=(0, 1, 2, 3), norm_eval=True, bn_frozen=True),
    # layers 2-4 (strides 8, 16, 32) + a stride-(1, 2, 2) conv on layer 4
    neck=dict(type='MultiLevelProjection3D', in_channels=(512, 1024, 2048), in_indices=(1, 2, 3), out_channels=256),
    num_classes=80, num_queries=15, num_frames=32, mode='keyframe', embed_dims=256, num_levels=4,
    encoder=dict(num_layers=6, layer_cfg=dict(self_attn_cfg=dict(num_heads=8, num_points=8),
                                              ffn_cfg=dict(feedforward_channels=2048))),
    decoder=dict(num_layers=6, num_heads=8, feedforward_channels=2048),
    criterion=dict(
        assign_per='frame',
        assigner=dict(type='HungarianAssigner', match_costs=[
            dict(type='ActorConfidenceCost', weight=12.0), dict(type='BBoxL1Cost', weight=5.0, box_format='xywh'),
            dict(type='IoUCost', iou_mode='giou', weight=2.0)]),
        loss_weights=dict(cls=10.0, bbox=5.0, giou=2.0, conf=1.0), no_object_weight=0.1, label_smoothing=0.1,
        class_on_actor=False),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[110.2008, 100.63983, 95.99475],
                           std=[58.14765, 56.46975, 55.332195], format_shape='NCTHW'),
    # MMAction2's ircsn-152 (IG65M + K400) recognizer checkpoint from a local file: its backbone.* keys fill the
    # backbone (ResNet3d ignores a backbone-level init_cfg, and its `pretrained` keeps the backbone. prefix)
    init_cfg=dict(type='Pretrained', checkpoint='checkpoints/'
                  'ircsn_ig65m-pretrained-r152-bnfrozen_8xb12-32x2x1-58e_kinetics400-rgb_20220811-c7a3cc5b.pth'))
# 12 epochs, 3 warm-up, steps at 8 and 11, 8 GPUs x 2 clips (the schedule's defaults)
