# CSA, ircsn-152 (IG65M + K400) on AVA v2.2: 32x2 clips, keyframe decoding, 15 actor queries, 6 + 6 layers;
# released settings (docs/csa.md). Paper: 33.5 mAP (Table 5). The released code first trains the transformer on
# AVA with CSN-50 and initialises this run from it (docs/csa.md, "Two-stage initialisation").
_base_ = ['../_base_/models/csa_vit-b_ava.py', '../_base_/datasets/ava22_keyframe-detection.py',
          '../_base_/schedules/adamw_multistep_csa.py', 'mmaction::_base_/default_runtime.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

# AVA's CSA settings with ircsn-152 in place of the ViT-B
model = dict(
    # the training code freezes the stem and the first two stages; every BatchNorm keeps training (synchronised)
    backbone=dict(_delete_=True, type='ResNet3dCSN', depth=152, pretrained=None, pretrained2d=False,
                  bottleneck_mode='ir', out_indices=(0, 1, 2, 3), frozen_stages=2, norm_eval=False,
                  bn_frozen=False),
    # layers 2-4 (strides 8, 16, 32) + a stride-(1, 2, 2) conv on layer 4
    neck=dict(_delete_=True, type='MultiLevelProjection3D', in_channels=(512, 1024, 2048), in_indices=(1, 2, 3),
              out_channels=256),
    num_frames=32,
    data_preprocessor=dict(mean=[110.2008, 100.63983, 95.99475], std=[58.14765, 56.46975, 55.332195]),
    # MMAction2's ircsn-152 (IG65M + K400) recognizer checkpoint from a local file: its backbone.* keys fill the
    # backbone (ResNet3d ignores a backbone-level init_cfg, and its `pretrained` keeps the backbone. prefix)
    init_cfg=dict(type='Pretrained', checkpoint='checkpoints/'
                  'ircsn_ig65m-pretrained-r152-bnfrozen_8xb12-32x2x1-58e_kinetics400-rgb_20220811-c7a3cc5b.pth'))
# 12 epochs, 3 warm-up, steps at 8 and 11, 8 GPUs x 2 clips (the schedule's defaults); SyncBN across GPUs
sync_bn = 'torch'
