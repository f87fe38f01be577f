# The FocusVideo demo's stage 2 baseline (Table 3a M1 at toy scale): stage 1's ViT frozen, fresh ST-Adapters
# and a fresh classifier trained. Same budget as focusvideo_tiny_demo-pre_*.py.
_base_ = ['./clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-large.py']
model = dict(
    backbone=dict(
        frozen=True,
        # Stage 1's last checkpoint (its backbone.visual.* weights; its adapters and head are left out).
        pretrained='work_dirs/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-large/epoch_10.pth'))
