# FocusVideo-L/14, 8 frames, Something-Something V2 (paper Table 2: 70.7 top-1, 1 clip x 3 crops). Recipe:
# ST-Adapter's SSv2 one (paper silent): two adapters per block, 50 epochs, RandAugment; 4 GPUs x 16 clips.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/focusvideo_vit-l14.py',
    '../_base_/datasets/focusvideo_sthv2_vit-l14.py', '../_base_/schedules/adamw_warmup-cosine_st-adapter.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(
    backbone=dict(num_frames=8, adapter_positions=('pre_attn', 'pre_mlp')),
    cls_head=dict(num_classes=174))
train_cfg = dict(max_epochs=50)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=2, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=48, eta_min=0, by_epoch=True, begin=2, end=50, convert_to_iter_based=True),
]
