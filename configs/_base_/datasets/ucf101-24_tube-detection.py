# UCF101-24 (corrected v2 annotations, split 1) as in CSA: non-overlapping 32-frame clips centred on each video
# (UCF24TubeDataset's 'centred' grid); ACT layout (rgb-images/<video>/{:05d}.jpg, UCF101v2-GT.pkl, which
# tools/data/convert_ucf24_annotations.py writes from the corrected annotations).
dataset_type = 'UCF24TubeDataset'
data_root = 'data/ucf101_24'
ann_file = f'{data_root}/UCF101v2-GT.pkl'

# CSA's training augmentation: short side 256, flip, an aspect-preserving random crop of short side 224, HSV jitter
# (hue +-10, saturation / value +-128), PCA lighting
train_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='TubeResize', scale=(-1, 256)),
    dict(type='TubeFlip', flip_ratio=0.5),
    dict(type='TubeAspectRandomCrop', size=224),
    dict(type='HSVJitter', hue=10, saturation=128, value=128),
    dict(type='PCALighting'),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
test_pipeline = [
    dict(type='RawFrameDecode'),
    dict(type='TubeResize', scale=(-1, 224)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
train_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(img=f'{data_root}/rgb-images'),
                 split=1, subset='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(img=f'{data_root}/rgb-images'),
                 split=1, subset='test', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = [dict(type='FrameMAP', ann_file=ann_file), dict(type='VideoMAP', ann_file=ann_file)]
test_evaluator = val_evaluator
