# CSA with MMAction2's VideoMAE ViT-B/16 (feature map out) and the ViTDet-style 3-D pyramid (x4, x2, x1, x1/2):
# D 256, 8 heads, FFN 2048, 4 levels, 8 encoder points; JHMDB51-21 / UCF101-24 settings (every frame decoded,
# 3 + 3 layers, matching 4/5/2, losses 4/5/2/3, no-object 0.5, class loss on sigmoid(cls) * p_actor). All from
# the released code (docs/csa.md); dataset configs set the classes, queries and frames.
model = dict(
    type='CSADetector',
    backbone=dict(type='VisionTransformer', img_size=224, patch_size=16, embed_dims=768, depth=12, num_heads=12,
                  mlp_ratio=4, qkv_bias=True, num_frames=16, norm_cfg=dict(type='LN', eps=1e-6),
                  use_mean_pooling=False, return_feat_map=True,  # final LayerNorm on the map (code)
                  drop_path_rate=0.2),  # training code (linear over the 12 blocks)
    neck=dict(type='SimplePyramid3D', in_channels=768, out_channels=256, scales=(4, 2, 1, 0.5)),
    mode='tube',
    embed_dims=256,
    num_levels=4,
    encoder=dict(num_layers=3, layer_cfg=dict(self_attn_cfg=dict(num_heads=8, num_points=8),
                                              ffn_cfg=dict(feedforward_channels=2048))),
    decoder=dict(num_layers=3, num_heads=8, feedforward_channels=2048),
    criterion=dict(assign_per='frame', match_weights=dict(conf=4.0, bbox=5.0, giou=2.0),
                   loss_weights=dict(cls=4.0, bbox=5.0, giou=2.0, conf=3.0), no_object_weight=0.5,
                   label_smoothing=0.0, class_on_actor=True),
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           format_shape='NCTHW'))
