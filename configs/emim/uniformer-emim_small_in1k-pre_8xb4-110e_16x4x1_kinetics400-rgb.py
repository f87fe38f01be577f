# EMIM-S16 on Kinetics-400 from ImageNet UniFormer-S (paper Table 2), the official run's recipe
# (docs/emim.md, "Recipe"): 110 epochs, 10 warm-up, lr 1e-4 per 32 videos, drop-path 0.0875; test 4 x 3.
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/uniformer-emim_small.py',
    '../_base_/datasets/emim_kinetics400.py', '../_base_/schedules/adamw_warmup-cosine_emim.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(backbone=dict(pretrained='data/pretrained/uniformer_small_in1k.pth'))
optim_wrapper = dict(optimizer=dict(lr=0.0001))
train_cfg = dict(max_epochs=110)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=100, eta_min=1e-6, by_epoch=True, begin=10, end=110,
         convert_to_iter_based=True),
]
# work_dir/best.pth -> the best checkpoint, the file the fine-tuning configs load
custom_hooks = [dict(type='BestCheckpointLinkHook')]
