# "Ground-truth boxes, random class scores" on the larger detection demo: the floor a detector's
# classification must beat (csa_demo_learning compares the tiny CSA's frame-mAP with it). No checkpoint:
# `tools/test.py CONFIG none`.
_base_ = ['mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_tube-detection.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

data_root = 'data/motion_demo_det_large/detection'
ann_file = f'{data_root}/motion_demo-GT.pkl'
model = dict(type='OracleTubeDetector', num_classes=12, random_scores=True, seed=0)
test_dataloader = dict(dataset=dict(ann_file=ann_file, data_prefix=dict(video=f'{data_root}/videos'), clip_len=8))
test_evaluator = [
    dict(type='FrameMAP', ann_file=ann_file, max_dets_per_frame=None, class_agnostic=True),
    dict(type='VideoMAP', ann_file=ann_file, linking='viterbi', max_dets_per_frame=None)
]
test_cfg = dict(type='TestLoop')
train_dataloader = None
val_dataloader = None
val_evaluator = None
