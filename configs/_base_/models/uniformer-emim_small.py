# UniFormer-EMIM-S (paper Table 1; EMIM in the first of every two blocks of stages 3-4, no stage-1 temporal
# stride) with MMAction2's UniFormer recognizer settings (I3DHead, UniFormer's normalisation) and EMIM's
# official mixing: MixUp 0.8 / CutMix 1.0 on every batch (one of them, p 0.5 each), label smoothing 0.1.
num_classes = 400
model = dict(
    type='Recognizer3D',
    backbone=dict(type='UniFormerEMIM', arch='s', drop_path_rate=0.0875),  # official S K400 run
    cls_head=dict(type='I3DHead', dropout_ratio=0., num_classes=num_classes, in_channels=512, label_smooth_eps=0.1,
                  average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[114.75, 114.75, 114.75], std=[57.375, 57.375, 57.375],
        format_shape='NCTHW',
        blending=dict(type='RandomBatchAugment',
                      augments=[dict(type='MixupBlending', alpha=0.8, num_classes=num_classes),
                                dict(type='CutmixBlending', alpha=1.0, num_classes=num_classes)],
                      probs=[0.5, 0.5])))
