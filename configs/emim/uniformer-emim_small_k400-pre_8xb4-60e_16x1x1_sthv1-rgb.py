# EMIM-S, 16 frames, on Something-Something V1 from the Kinetics-400 EMIM-S (paper Tables 1-3):
# lr 2e-4, 50 epochs with 5 of warm-up (section 4.1).
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/uniformer-emim_small.py',
    '../_base_/datasets/emim_sthv1.py', '../_base_/schedules/adamw_warmup-cosine_emim.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(cls_head=dict(num_classes=174))
# The whole recognizer trained by the Kinetics-400 config; its classifier does not fit and is re-initialised.
load_from = 'work_dirs/uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb/best.pth'
train_cfg = dict(max_epochs=50)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=5, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=45, eta_min=1e-6, by_epoch=True, begin=5, end=50,
         convert_to_iter_based=True),
]
