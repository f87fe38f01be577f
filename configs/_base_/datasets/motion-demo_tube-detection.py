# The detection flavour of the built-in motion demo (tools/data/generate_motion_demo.py --flavour detection)
# read as action tubes from its ACT ground truth: non-overlapping 16-frame clips over 48-frame videos.
dataset_type = 'ActionTubeDataset'
data_root = 'data/motion_demo/detection'
ann_file = f'{data_root}/motion_demo-GT.pkl'
clip_len = 16

train_pipeline = [
    dict(type='VideoInit'),
    dict(type='VideoDecode'),
    dict(type='TubeRandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='TubeResize', scale=(128, 96), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='VideoDecode'),
    dict(type='TubeResize', scale=(-1, 96)),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(video=f'{data_root}/videos'),
                 clip_len=clip_len, sampling='sliding', subset='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, data_prefix=dict(video=f'{data_root}/videos'),
                 clip_len=clip_len, sampling='sliding', subset='test', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
# MultiSports / MMAction2 conventions ('voc'), but our Viterbi linking: demo actors move by up to half their
# box between frames, which ends a tube in the greedy linking of ACT / MultiSports.
val_evaluator = [
    dict(type='FrameMAP', ann_file=ann_file),
    dict(type='VideoMAP', ann_file=ann_file, linking='viterbi')
]
test_evaluator = val_evaluator
