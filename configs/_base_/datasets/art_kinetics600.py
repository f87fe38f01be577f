# Kinetics-600: 600 classes, as videos (paths: docs/art.md); pipelines and views as Kinetics-400.
_base_ = ['./art_kinetics400.py']
num_classes = 600
class_names = 'data/kinetics600/kinetics600_classes.txt'  # for tools/build_text_bank.py
data_root = 'data/kinetics600'
ann_file_train = 'data/kinetics600/kinetics600_train_list_videos.txt'
ann_file_val = 'data/kinetics600/kinetics600_val_list_videos.txt'
train_dataloader = dict(dataset=dict(ann_file=ann_file_train, data_prefix=dict(video=f'{data_root}/videos_train')))
val_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=f'{data_root}/videos_val')))
test_dataloader = dict(dataset=dict(ann_file=ann_file_val, data_prefix=dict(video=f'{data_root}/videos_val')))
