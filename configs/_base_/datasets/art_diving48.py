# Diving48-V2: 48 classes, as videos (paths: docs/art.md).
_base_ = ['./art_video-16x1x1.py']
num_classes = 48
class_names = 'data/diving48/diving48_classes.txt'  # for tools/build_text_bank.py
data_root = 'data/diving48/videos'
ann_file_train = 'data/diving48/diving48_train_list_videos.txt'
ann_file_val = 'data/diving48/diving48_val_list_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
