# The detection flavour of the motion demo rendered on the fly (MotionDemoTubeDataset): 120 new training videos of
# 24 frames every epoch (EpochIndexSampler), the file generator's 24 test videos, read as action tubes in
# non-overlapping 8-frame clips; the metrics read the test videos' ground truth from the dataset (no ann_file).
# No flip: it would swap left / right and the rotation sense, i.e. the labels.
dataset_type = 'MotionDemoTubeDataset'
clip_len, num_frames = 8, 24

train_pipeline = [
    dict(type='ArrayDecode'),
    dict(type='TubeRandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='TubeResize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
test_pipeline = [
    dict(type='ArrayDecode'),
    dict(type='TubeResize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackTubeInputs'),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    dataset=dict(type=dataset_type, split='train', num_videos=120, num_frames=num_frames, clip_len=clip_len,
                 pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, split='val', num_videos=24, num_frames=num_frames, clip_len=clip_len,
                 pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
# Viterbi linking, as the file-based demo (motion-demo_tube-detection.py); every detection kept.
val_evaluator = [
    dict(type='FrameMAP', max_dets_per_frame=None, class_agnostic=True),
    dict(type='VideoMAP', linking='viterbi', max_dets_per_frame=None)
]
test_evaluator = val_evaluator
