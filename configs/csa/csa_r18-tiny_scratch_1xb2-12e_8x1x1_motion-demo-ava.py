# Tiny CSA on the AVA flavour of the motion-demo detection data (ava_{train,val}.csv at every second, rawframes
# from `generate_motion_demo.py --flavour detection --rawframes`): keyframe decoding, MMAction2's AVADataset and
# AVAMetric, AVA's matching / loss settings (costs 12/5/2, losses 10/5/2/1, no-object 0.1, label smoothing 0.1).
_base_ = ['./csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py']

data_root = 'data/motion_demo/detection'
num_classes = 12
model = dict(
    mode='keyframe',
    criterion=dict(match_weights=dict(conf=12.0), loss_weights=dict(cls=10.0, conf=1.0), no_object_weight=0.1,
                   label_smoothing=0.1, class_on_actor=False))
dataset_type = 'AVADataset'
# the demo writes keyframes at whole seconds s (frame s * fps of 8-fps, 48-frame videos)
ava_args = dict(type=dataset_type, data_prefix=dict(img=f'{data_root}/rawframes'), label_file=f'{data_root}/action_list.pbtxt',
                num_classes=num_classes + 1, timestamp_start=0, timestamp_end=6, fps=8, start_index=1,
                filename_tmpl='img_{:05d}.jpg')
train_pipeline = [
    dict(type='SampleAVAFrames', clip_len=8, frame_interval=1),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    # no flip: it swaps the demo's left / right and rotation labels (docs/csa.md, "Learning on the demo data")
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
test_pipeline = [
    dict(type='SampleAVAFrames', clip_len=8, frame_interval=1, test_mode=True),
    dict(type='RawFrameDecode'),
    dict(type='Resize', scale=(112, 112), keep_ratio=False),
    dict(type='FormatShape', input_format='NCTHW', collapse=True),
    dict(type='PackActionInputs'),
]
train_dataloader = dict(
    _delete_=True, batch_size=2, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(ann_file=f'{data_root}/ava_train.csv', exclude_file=f'{data_root}/ava_train_excluded_timestamps.csv',
                 pipeline=train_pipeline, **ava_args))
val_dataloader = dict(
    _delete_=True, batch_size=1, num_workers=2, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(ann_file=f'{data_root}/ava_val.csv', exclude_file=f'{data_root}/ava_val_excluded_timestamps.csv',
                 pipeline=test_pipeline, test_mode=True, **ava_args))
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='AVAMetric', ann_file=f'{data_root}/ava_val.csv',
                     exclude_file=f'{data_root}/ava_val_excluded_timestamps.csv',
                     label_file=f'{data_root}/action_list.pbtxt', num_classes=num_classes + 1)
test_evaluator = val_evaluator
