# EMIM-S16 on Something-Something V1 from the K400 model (paper Table 3), the official run's recipe
# (docs/emim.md, "Recipe"): 60 epochs (the paper's text says 50), 5 warm-up, lr 2e-4 per 32 videos, drop-path 0.25.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/uniformer-emim_small.py',
    '../_base_/datasets/emim_sthv1.py', '../_base_/schedules/adamw_warmup-cosine_emim.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(backbone=dict(drop_path_rate=0.25), cls_head=dict(num_classes=174),
             data_preprocessor=dict(blending=dict(augments=[dict(type='MixupBlending', alpha=0.8, num_classes=174),
                                   dict(type='CutmixBlending', alpha=1.0, num_classes=174)])))
load_from = 'work_dirs/uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
optim_wrapper = dict(optimizer=dict(lr=0.0002))
train_cfg = dict(max_epochs=60)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.005, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=55, eta_min=1e-6, by_epoch=True, begin=5, end=60,
         convert_to_iter_based=True),
]
