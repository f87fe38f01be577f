# FocusVideo-L/14, 16 frames, Kinetics-400 (not in the paper; 4 clips x 3 crops). Recipe: ST-Adapter's
# (paper silent), 4 GPUs x 16 clips; weights: local CLIP file (model.backbone.pretrained).
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/focusvideo_vit-l14.py',
    '../_base_/datasets/focusvideo_kinetics400-16x8x1_vit-l14.py', '../_base_/schedules/adamw_warmup-cosine_st-adapter.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(backbone=dict(num_frames=16))
