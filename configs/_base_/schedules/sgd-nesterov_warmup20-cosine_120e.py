# The official Video-FocalNet schedule: SGD (momentum 0.9, Nesterov), lr 0.1 x batch / 512; timm's cosine
# over all 120 epochs (per iteration) to 1e-3 x batch / 512, the first 20 under a linear warm-up from
# 1e-3 x batch / 512 (the two schedulers overlap as timm's warm-up overlays its cosine); gradients clipped at 5;
# mixed precision (the official apex O1). Weight decay 0: the official yaml says 1e-4, but its no-decay keyword
# list matches every parameter, so no parameter is decayed.
total_batch = 32  # 4 GPUs x 8 clips, as in the official scripts for T / B
base_lr = 0.1 * total_batch / 512

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=120, val_begin=1, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='DeviceAmpOptimWrapper',  # mixed precision on accelerators (official apex O1), fp32 on a CPU
    optimizer=dict(type='SGD', lr=base_lr, momentum=0.9, nesterov=True, weight_decay=0.0),
    clip_grad=dict(max_norm=5, norm_type=2))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=True, begin=0, end=20, convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', T_max=120, eta_min=base_lr * 0.01, by_epoch=True, begin=0, end=120,
         convert_to_iter_based=True),
]
# --auto-scale-lr rescales lr linearly from this batch size.
auto_scale_lr = dict(enable=False, base_batch_size=total_batch)
