"""``--cfg-options`` that point the tiny CSA demo configs at a generated detection demo."""
import os.path as osp

from . import REPO_ROOT

CSA_TUBE_CONFIG = osp.join(REPO_ROOT, 'configs', 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py')
CSA_AVA_CONFIG = osp.join(REPO_ROOT, 'configs', 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-ava.py')


def csa_demo_options(root, flavour='tube', epochs=1, workers=0):
    """Options for ``flavour`` ``'tube'`` (ACT pickle + videos) or ``'ava'`` (CSVs + rawframes)."""
    options = []
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        options += [f'{loader}.num_workers={workers}', f'{loader}.persistent_workers={workers > 0}']
    if flavour == 'tube':
        gt = f'{root}/motion_demo-GT.pkl'
        for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            options += [f'{loader}.dataset.ann_file={gt}', f'{loader}.dataset.data_prefix.video={root}/videos']
        for evaluator in ('val_evaluator', 'test_evaluator'):
            options += [f'{evaluator}.0.ann_file={gt}', f'{evaluator}.1.ann_file={gt}']
    else:
        for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'), ('test_dataloader', 'val')):
            options += [f'{loader}.dataset.ann_file={root}/ava_{split}.csv',
                        f'{loader}.dataset.exclude_file={root}/ava_{split}_excluded_timestamps.csv',
                        f'{loader}.dataset.label_file={root}/action_list.pbtxt',
                        f'{loader}.dataset.data_prefix.img={root}/rawframes']
        for evaluator in ('val_evaluator', 'test_evaluator'):
            options += [f'{evaluator}.ann_file={root}/ava_val.csv',
                        f'{evaluator}.exclude_file={root}/ava_val_excluded_timestamps.csv',
                        f'{evaluator}.label_file={root}/action_list.pbtxt']
    options += [f'train_cfg.max_epochs={epochs}', f'train_cfg.val_interval={epochs}', 'default_hooks.logger.interval=1',
                'param_scheduler.0.end=1', 'param_scheduler.1.begin=1', f'param_scheduler.1.end={max(epochs, 2)}']
    return options
