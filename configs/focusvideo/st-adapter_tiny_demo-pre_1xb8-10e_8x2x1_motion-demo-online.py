# The FocusVideo demo's stage 2 baseline (Table 3a M1 at toy scale): stage 1's ViT frozen, fresh ST-Adapters
# and a fresh classifier trained. Same budget as focusvideo_tiny_demo-pre_*.py.
_base_ = ['./clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online.py']
model = dict(
    backbone=dict(
        frozen=True,
        # Stage 1's last checkpoint (its backbone.visual.* weights; its adapters and head are left out).
        pretrained='work_dirs/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online/epoch_10.pth'))
train_cfg = dict(max_epochs=10)
# Stage 2 sees the same 2400 training clips every epoch (the default sampler: epoch 0's clips, which the file
# generator writes too): FocusVideo's offline targets are stored per training clip (tools/extract_features.py).
train_dataloader = dict(sampler=dict(type='DefaultSampler', shuffle=True))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=9, eta_min=1e-5, by_epoch=True, begin=1, end=10, convert_to_iter_based=True),
]
