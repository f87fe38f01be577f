# ART's CPU demo (not a paper setting): a tiny UniFormerV2 (width 64, 2 local blocks, 1 global block) trained
# from scratch on the online motion demo, with ART's head at d = 64 and a bank from a tiny random CLIP text tower
# (no CLIP weights here: the bank's structure, not its semantics, is what the demo exercises):
#   python tools/data/generate_motion_demo.py data/motion_demo_online --flavour classes
#   python tools/misc/make_tiny_clip.py data/tiny_clip.pth
#   python tools/build_text_bank.py data/tiny_clip.pth data/motion_demo_online/classes.txt \
#       data/motion_demo_online/art_text-bank_tiny-clip.pth
# Its peers under the same budget: art-baseline_* (Table IV baseline) and art-no-mtc_* (no MTC loss).
_base_ = ['../demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py']  # same data and views

num_frames = 8
model = dict(
    backbone=dict(_delete_=True, type='UniFormerV2Tokens', arch='tiny', input_resolution=80, t_size=num_frames),
    cls_head=dict(
        _delete_=True,
        type='ARTHead',
        num_classes=12,
        in_channels=64,
        num_frames=num_frames,
        text_bank='data/motion_demo_online/art_text-bank_tiny-clip.pth',
        num_prompts=16,
        text_channels=32,  # the tiny CLIP's text embedding
        embed_dims=64,  # d scaled with the backbone (paper: 256 for C = 768 / 1024)
        num_encoder_layers=2,  # paper: 4 + 4; halved for CPU
        num_decoder_layers=2,
        num_heads=4,
        ffn_channels=128,
        dropout_ratio=0.2,  # as the other demo heads
        average_clips='prob'),
    data_preprocessor=dict(mean=[114.75, 114.75, 114.75], std=[57.375, 57.375, 57.375]))
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05), clip_grad=dict(max_norm=1, norm_type=2))
custom_hooks = [dict(type='EpochSeedHook'), dict(type='TextBankEMAHook')]
# 8 epochs (2400 steps, about 1 min each on 2 cores): three variants x three seeds fit a benchmark session.
train_cfg = dict(max_epochs=8, val_interval=4)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=7, eta_min=1e-5, by_epoch=True, begin=1, end=8, convert_to_iter_based=True),
]
