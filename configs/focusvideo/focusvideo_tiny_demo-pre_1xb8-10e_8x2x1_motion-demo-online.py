# The FocusVideo demo's stage 2 (not a paper setting): stage 1's ViT frozen as the "CLIP", fresh ST-Adapters,
# 8 action queries per frame with the shared QP layer and local layer (8 heads, FFN = C), L_cls + L_recon against
# stage 1's per-frame features (offline targets):
#   python tools/extract_features.py configs/focusvideo/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online.py \
#       work_dirs/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online/epoch_10.pth \
#       data/motion_demo_online/focusvideo_targets
_base_ = ['./st-adapter_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py']
feature_dir = 'data/motion_demo_online/focusvideo_targets'
model = dict(
    backbone=dict(type='FocusVideoCLIP', num_queries=8),
    cls_head=dict(query_supervision='recon_offline'))
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1),
    dict(type='LoadFrameFeatureTargets', feature_dir=feature_dir),
    dict(type='ArrayDecode'),
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0), aspect_ratio_range=(0.8, 1.25)),
    dict(type='Resize', scale=(80, 80), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs', algorithm_keys=('recon_target', )),
]))
