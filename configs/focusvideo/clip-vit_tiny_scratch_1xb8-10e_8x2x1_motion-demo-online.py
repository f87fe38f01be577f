# The FocusVideo demo's stage 1 (not a paper setting): a tiny CLIP-style ViT with ST-Adapters trained from scratch,
# unfrozen, on the online motion demo. It stands in for CLIP (no CLIP weights here) and supplies the offline
# reconstruction targets (tools/extract_features.py).
# Stage 2: st-adapter_tiny_demo-pre_*.py (M1) vs focusvideo_tiny_demo-pre_*.py on this model, frozen.
_base_ = ['../demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py']  # same data and test views

model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPViT',
        arch='tiny',  # width 64, 2 blocks, 16 px patches (layers.clip_vision.CLIP_VISION_ARCHS)
        num_frames=8,
        input_resolution=80,
        adapter_positions=('pre_attn', 'pre_mlp'),  # the only temporal mixing: a ViT alone cannot see motion
        adapter_channels=64,
        frozen=False),
    cls_head=dict(
        _delete_=True,
        type='FocusVideoHead',
        num_classes=12,
        in_channels=64,
        dropout_ratio=0.2,
        query_supervision='none',
        average_clips='prob'),
    data_preprocessor=dict(mean=[122.771, 116.746, 104.093], std=[68.500, 66.632, 70.323]))

optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1, norm_type=2),
    paramwise_cfg=dict(bias_decay_mult=0.0, norm_decay_mult=0.0, flat_decay_mult=0.0))
# 10 epochs; longer did not help in our probes (docs/focusvideo.md, "Learning").
train_cfg = dict(max_epochs=10)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=9, eta_min=1e-5, by_epoch=True, begin=1, end=10, convert_to_iter_based=True),
]
