# The tiny CSA of csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-ava.py on the AVA flavour rendered on the fly: new
# training videos every epoch (same keyframe slots), the generator's validation keyframes and ground truth, no files.
_base_ = ['./csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-ava.py']

# 48 frames at 8 fps, keyframes at seconds 1-5: the generator's defaults, as the file config reads them.
online = dict(type='MotionDemoAVADataset', num_frames=48, fps=8, height=120, width=160)
train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=8, frame_interval=1),
    dict(type='ArrayDecode'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='SampleAVAFrames', clip_len=8, frame_interval=1, test_mode=True),
    dict(type='ArrayDecode'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    dataset=dict(_delete_=True, split='train', num_videos=16, pipeline=train_pipeline, **online))
val_dataloader = dict(
    dataset=dict(_delete_=True, split='val', num_videos=8, pipeline=test_pipeline, test_mode=True, **online))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='OnlineAVAMetric')  # the dataset's ground truth, scored by AVAMetric
test_evaluator = val_evaluator
