# "Ground-truth boxes, random class scores" on the detection demo rendered on the fly (the generator's 24 test
# videos): the floor a detector's classification must beat (csa_demo_learning compares the tiny CSA with it).
# No checkpoint: `tools/test.py CONFIG none`.
_base_ = ['mmaction::_base_/default_runtime.py', '../_base_/datasets/motion-demo_tube-online.py']
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)

model = dict(type='OracleTubeDetector', num_classes=12, random_scores=True, seed=0)
test_cfg = dict(type='TestLoop')
train_dataloader = None
val_dataloader = None
val_evaluator = None
