# JHMDB51-21 split 1 as in CSA: every video (<= 40 frames) is one 40-frame clip, centre-padded by
# repeating its first and last frames; ACT layout (Frames/<video>/{:05d}.png, JHMDB-GT.pkl).
_base_ = ['./ucf101-24_tube-detection.py']
dataset_type = 'JHMDBTubeDataset'
data_root = 'data/jhmdb'
ann_file = f'{data_root}/JHMDB-GT.pkl'
# CSA's training augmentation for JHMDB: short side 288, flip, an aspect-preserving random crop of short side 256,
# HSV jitter (hue +-10, saturation / value +-128), PCA lighting
train_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='TubeResize', scale=(-1, 288)),
    dict(type='TubeFlip', flip_ratio=0.5),
    dict(type='TubeAspectRandomCrop', size=256),
    dict(type='HSVJitter', hue=10, saturation=128, value=128),
    dict(type='PCALighting'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
test_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='TubeResize', scale=(-1, 256)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
train_dataloader = dict(
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(img=f'{data_root}/Frames'),
                 pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(img=f'{data_root}/Frames'),
                 pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [dict(type='FrameMAP', ann_file=ann_file), dict(type='VideoMAP', ann_file=ann_file)]
test_evaluator = val_evaluator
