# FineGym288 (Gym288 element categories): 288 classes, as videos (paths: docs/art.md).
_base_ = ['./art_video-16x1x1.py']
num_classes = 288
class_names = 'data/gym/annotations/gym288_categories.txt'  # for tools/build_text_bank.py
data_root = 'data/gym/subactions'
ann_file_train = 'data/gym/annotations/gym288_train.txt'
ann_file_val = 'data/gym/annotations/gym288_val.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=data_root)))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=data_root)))
