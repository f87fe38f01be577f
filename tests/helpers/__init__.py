"""What several test modules share: repo paths, running a repo tool, the tiny demo's config overrides.

Importable as ``helpers`` because ``pytest.ini`` puts ``tests/`` on ``sys.path``.
"""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED_DATA = os.environ.get('MMACTION_EXT_SHARED_DATA', osp.join(REPO_ROOT, '..', 'shared', 'data'))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'demo', 'r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py')
VIDEO_FOCALNET_DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'video_focalnet',
                                      'videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-online.py')
EMIM_DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'emim',
                            'uniformer-emim_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py')


def tiny_demo_options(data_root, work_dir=None, epochs=2, config=None):
    """``--cfg-options`` that point the demo config at ``data_root`` and shrink it for tests.

    A ``config`` that reads the online demo (``MotionDemoDataset``) is shrunk to the same clips instead: 4 classes,
    4 training and 2 validation clips per class, 24 frames at 64 px, seed 0 (``tiny_motion_demo``'s files hold the
    same clips)."""
    from mmengine.config import Config
    online = config is not None and Config.fromfile(config).train_dataloader.dataset.type == 'MotionDemoDataset'
    if online:
        options = [f'{split}_dataloader.dataset.{key}={value}' for split in ('train', 'val', 'test')
                   for key, value in (('num_classes', 4), ('num_frames', 24), ('size', 64),
                                      ('clips_per_class', 4 if split == 'train' else 2))]
    else:
        options = [
            f'train_dataloader.dataset.ann_file={data_root}/train_list.txt',
            f'train_dataloader.dataset.data_prefix.video={data_root}',
            f'val_dataloader.dataset.ann_file={data_root}/val_list.txt',
            f'val_dataloader.dataset.data_prefix.video={data_root}',
            f'test_dataloader.dataset.ann_file={data_root}/val_list.txt',
            f'test_dataloader.dataset.data_prefix.video={data_root}',
        ]
    options += [
        'model.cls_head.num_classes=4',
        'train_dataloader.batch_size=4',
        'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
        f'train_cfg.max_epochs={epochs}', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        # One warm-up epoch, then cosine; it must end after it begins even for a 1-epoch run.
        'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',
        f'param_scheduler.1.T_max={epochs}', f'param_scheduler.1.end={epochs + 1}',
    ]
    return options


def load_tool(path):
    """A repo tool's module (``tools/...py``), imported in-process: its ``main(argv)`` is the command line."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(osp.basename(path)[:-3], osp.join(REPO_ROOT, path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_tool(args, timeout=600, env=None, **kwargs):
    """Run a repo tool in a subprocess; returns the CompletedProcess (stdout+stderr in .stdout)."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1', **(env or {}))
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=full_env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


class RunsCode:
    """Unpickling this calls ``os.system('touch <marker>')``: the classic malicious pickle."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f'touch {self.marker}', )


def logged_losses(work_dir):
    """``{(epoch, iter): loss}`` from every run's ``scalars.json`` under ``work_dir`` (mmengine's log)."""
    losses = {}
    for path in glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'loss' in record and 'epoch' in record:
                    losses[(record['epoch'], record['iter'])] = record['loss']
    return losses
