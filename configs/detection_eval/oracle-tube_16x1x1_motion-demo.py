# Evaluate the ground truth itself (OracleTubeDetector) on the motion-demo detection data through the
# tube dataset, transforms and the FrameMAP / VideoMAP metrics: a pipeline and metric check
# (`tools/test.py CONFIG none` needs no checkpoint). Frame-mAP is 100; video-mAP is 100 but for actors that
# repeat an action after a pause of <= 4 frames, which the default linking bridges into one tube
# (add `--cfg-options test_evaluator.1.link_options.max_gap=0` to get 100 there too).
_base_ = ['mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_tube-detection.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(type='OracleTubeDetector', num_classes=12)
test_cfg = dict(type='TestLoop')
# Nothing to train or validate.
train_dataloader = None
val_dataloader = None
val_evaluator = None
