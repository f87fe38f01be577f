# Kinetics-400: 400 classes, as videos (paths: docs/art.md).
_base_ = ['./art_video-16x1x1.py']
num_classes = 400
class_names = 'data/kinetics400/kinetics400_classes.txt'  # for tools/build_text_bank.py
data_root = 'data/kinetics400'
ann_file_train = 'data/kinetics400/kinetics400_train_list_videos.txt'
ann_file_val = 'data/kinetics400/kinetics400_val_list_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=f'{data_root}/videos_train')))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=f'{data_root}/videos_val')))
# UniFormerV2's Kinetics views: 4 clips x 3 crops.
test_pipeline = [
    dict(type='DecordInit'),
    dict(type='UniformSample', clip_len=16, num_clips=4, test_mode=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 224)),
    dict(type='ThreeCrop', crop_size=224),
    dict(type='FormatShape', input_format='NCTHW'),
    dict(type='PackActionInputs'),
]
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=f'{data_root}/videos_val'),
                                    pipeline=test_pipeline))
