# A CPU-sized UniFormer-EMIM trained from scratch on the online motion demo (not a paper setting).
# Its peer without EMIM is uniformer_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py (same budget);
# the choices are in docs/emim.md, "The tiny demo config".
_base_ = ['../demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py']  # same data and test views

model = dict(
    backbone=dict(
        _delete_=True,
        type='UniFormerEMIM',
        arch=dict(depth=[2, 2, 2, 2]),
        embed_dim=[16, 32, 64, 128],
        head_dim=16,
        # 80 px input: stage 3 is 5x5 and stage 4 3x3, so EMIM (5x5 windows) goes in stage 3 only.
        emim_stages=(3, ),
        window_size=5,
        drop_path_rate=0.1,
        # From scratch on small data UniFormer's own recipe collapses to the class prior; these five make the
        # network learn (docs/demo_learning.md, item 15). Both this model and its O-O peer use them.
        patch_norm='BN',
        stem_act_cfg=dict(type='ReLU'),
        overlap_patch_embed=True,
        local_conv='dense',
        stream_act_cfg=dict(type='ReLU'),
        final_norm=False),
    cls_head=dict(in_channels=128, label_smooth_eps=0.1))

# lr 1e-3 with warm-up and clipping, as the tiny Video-FocalNet; rpb out of weight decay (official).
optim_wrapper = dict(
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05),
    clip_grad=dict(max_norm=1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'.rpb': dict(decay_mult=0.)}))
# 8 epochs (2400 steps): 3 seeds of this model and of its peer train in under an hour on 2 CPU cores.
train_cfg = dict(max_epochs=8, val_interval=1)  # a validation point per epoch for the main job's learning curve
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, eta_min=1e-5, by_epoch=True, begin=1, end=8, convert_to_iter_based=True),
]
# Depthwise 3D convolutions train 2-3x faster channels-last on CPU (same values up to rounding).
custom_hooks = [dict(type='EpochSeedHook'), dict(type='MemoryFormatHook')]
