# The tiny CSA of csa_r18-tiny_scratch_1xb2-10e_8x1x1_motion-demo-tube-large.py on the detection demo rendered on
# the fly (120 new training videos of 24 frames every epoch, the generator's 24 test videos): same model, schedule
# and metrics, without the horizontal flip, which swaps the demo's left / right and rotation labels
# (docs/csa.md, "The tiny demo config"). Its peer: oracle-tube-random-scores_8x1x1_motion-demo-online.py.
_base_ = ['./csa_r18-tiny_scratch_1xb2-10e_8x1x1_motion-demo-tube-large.py']

online = dict(type='MotionDemoTubeDataset', num_frames=24, clip_len=8)
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
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    dataset=dict(_delete_=True, split='train', num_videos=120, pipeline=train_pipeline, **online))
val_dataloader = dict(
    dataset=dict(_delete_=True, split='val', num_videos=24, pipeline=test_pipeline, test_mode=True, **online))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='FrameMAP', max_dets_per_frame=None, class_agnostic=True),
    dict(type='VideoMAP', linking='viterbi', max_dets_per_frame=None)
]
test_evaluator = val_evaluator
