# EMIM-S, 16 frames, on Kinetics-400 from ImageNet-1k UniFormer-S (paper Table 2); its Something-Something and
# Diving48 configs start from the model this trains. lr 1e-4, 110 epochs with 10 of warm-up (section 4.1).
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/uniformer-emim_small.py',
    '../_base_/datasets/emim_kinetics400.py', '../_base_/schedules/adamw_warmup-cosine_emim.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

# ImageNet UniFormer-S (2D), centre-inflated at load: put the file here (docs/emim.md, "Checkpoints").
model = dict(backbone=dict(pretrained='data/pretrained/uniformer_small_in1k.pth'))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(max_epochs=110)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=10, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=100, eta_min=1e-6, by_epoch=True, begin=10, end=110,
         convert_to_iter_based=True),
]
