# NTU RGB+D 60, cross-subject, RGB videos: 60 classes, as videos (lists: tools/data/ntu_rgb_lists.py; docs/art.md).
_base_ = ['./art_video-16x1x1.py']
num_classes = 60
class_names = 'data/ntu/annotations/ntu60_classes.txt'  # for tools/build_text_bank.py
data_root = 'data/nturgbd_videos'  # MMAction2's tools/data/skeleton/compress_nturgbd.py
ann_file_train = 'data/ntu/annotations/ntu60_xsub_train.txt'
ann_file_val = 'data/ntu/annotations/ntu60_xsub_val.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
