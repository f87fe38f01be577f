"""Shared fixtures.

Real data lives outside the repo; its location is the one setting
``MMACTION_EXT_SHARED_DATA`` (default: ``../shared/data`` from the repo root).
Tests that need it skip, saying why, only where it is absent.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = os.environ.get('MMACTION_EXT_SHARED_DATA', osp.join(REPO_ROOT, '..', 'shared', 'data'))
DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'demo', 'r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py')
VIDEO_FOCALNET_DEMO_CONFIG = osp.join(REPO_ROOT, 'configs', 'video_focalnet',
                                      'videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-large.py')


@pytest.fixture(scope='session')
def shared_data():
    """Path of the shared real data, or a skip that says where it was looked for."""
    if not osp.isdir(SHARED_DATA):
        pytest.skip(f'shared real data not found at {osp.abspath(SHARED_DATA)} '
                    '(set MMACTION_EXT_SHARED_DATA to its location)')
    return SHARED_DATA


@pytest.fixture(scope='session')
def tiny_motion_demo(tmp_path_factory):
    """A small classification demo dataset: 4 classes x (4 train, 2 val) clips of 24 frames at 64 px."""
    from mmaction_ext.datasets.motion_demo import generate_classification
    root = str(tmp_path_factory.mktemp('motion_demo') / 'classification')
    generate_classification(root, num_classes=4, train_per_class=4, val_per_class=2, num_frames=24,
                            size=64, fps=8, seed=0, progress=False)
    return root


def tiny_demo_options(data_root, work_dir=None, epochs=2):
    """``--cfg-options`` that point the demo config at ``data_root`` and shrink it for tests."""
    options = [
        f'train_dataloader.dataset.ann_file={data_root}/train_list.txt',
        f'train_dataloader.dataset.data_prefix.video={data_root}',
        f'val_dataloader.dataset.ann_file={data_root}/val_list.txt',
        f'val_dataloader.dataset.data_prefix.video={data_root}',
        f'test_dataloader.dataset.ann_file={data_root}/val_list.txt',
        f'test_dataloader.dataset.data_prefix.video={data_root}',
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


def run_tool(args, timeout=600, env=None, **kwargs):
    """Run a repo tool in a subprocess; returns the CompletedProcess (stdout+stderr in .stdout)."""
    full_env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1', **(env or {}))
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=full_env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


@pytest.fixture(scope='session')
def tiny_detection_demo(tmp_path_factory):
    """A small detection demo dataset (ACT pickle + videos): 4 train and 3 val clips of 32 frames."""
    from mmaction_ext.datasets.motion_demo import generate_detection
    root = str(tmp_path_factory.mktemp('motion_demo') / 'detection')
    generate_detection(root, num_train=4, num_val=3, num_frames=32, height=72, width=96, progress=False)
    return root


@pytest.fixture(scope='session')
def ucf24_act(shared_data, tmp_path_factory):
    """The corrected UCF101-24 annotations converted to an ACT pickle: ``(path, annotations)``."""
    import pickle

    from mmaction_ext.datasets import convert_ucf24_pyannot
    folder = osp.join(shared_data, 'ucf101_24_corrected_annots')
    # The corrected annotations list 6 training videos they do not annotate: named in a warning.
    with pytest.warns(UserWarning, match=r'6 of the listed training videos have no annotations'):
        annos = convert_ucf24_pyannot(osp.join(folder, 'pyannot_with_class_names.pkl'),
                                      osp.join(folder, 'testlist01.txt'))
    path = str(tmp_path_factory.mktemp('ucf24') / 'UCF101v2-GT.pkl')
    with open(path, 'wb') as f:
        pickle.dump(annos, f)
    return path, annos
