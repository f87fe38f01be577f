# UniFormer-EMIM-S (paper Table 1; EMIM in the first of every two blocks of stages 3-4, no stage-1
# temporal stride) with MMAction2's UniFormer recognizer settings (I3DHead, UniFormer's normalisation).
model = dict(
    type='Recognizer3D',
    backbone=dict(type='UniFormerEMIM', arch='s', drop_path_rate=0.1),
    cls_head=dict(type='I3DHead', dropout_ratio=0., num_classes=400, in_channels=512, average_clips='prob'),
    data_preprocessor=dict(
        type='ActionDataPreprocessor', mean=[114.75, 114.75, 114.75], std=[57.375, 57.375, 57.375],
        format_shape='NCTHW'))
