"""Shared fixtures.

Real data lives outside the repo; its location is the one setting
``MMACTION_EXT_SHARED_DATA`` (default: ``../shared/data`` from the repo root).
Tests that need it skip, saying why, only where it is absent.
"""
import os.path as osp

import pytest

from helpers import SHARED_DATA


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
    from mmaction_ext.datasets.synthetic import generate_classification
    root = str(tmp_path_factory.mktemp('motion_demo') / 'classification')
    generate_classification(root, num_classes=4, train_per_class=4, val_per_class=2, num_frames=24,
                            size=64, fps=8, seed=0, progress=False)
    return root


@pytest.fixture(scope='session')
def tiny_detection_demo(tmp_path_factory):
    """A small detection demo dataset (ACT pickle + videos): 4 train and 3 val clips of 32 frames."""
    from mmaction_ext.datasets.synthetic import generate_detection
    root = str(tmp_path_factory.mktemp('motion_demo') / 'detection')
    generate_detection(root, num_train=4, num_val=3, num_frames=32, height=72, width=96, progress=False)
    return root


@pytest.fixture(scope='session')
def detection_demo_frames(tmp_path_factory):
    """A small detection demo with rawframes (ACT pickle + AVA CSVs): 4 train and 2 val clips of 24 frames."""
    from mmaction_ext.datasets.synthetic import generate_detection
    root = str(tmp_path_factory.mktemp('motion_demo_frames') / 'detection')
    generate_detection(root, num_train=4, num_val=2, num_frames=24, height=72, width=96, rawframes=True,
                       progress=False)
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


@pytest.fixture(scope='session')
def tiny_clip_file(tmp_path_factory):
    """A random tiny CLIP (both towers; vision width 64 at 32 px, text width 64, embedding 32) in OpenAI's
    state_dict format, written by tools/misc/make_tiny_clip.py."""
    from helpers import load_tool
    path = str(tmp_path_factory.mktemp('tiny_clip') / 'tiny_clip.pth')
    load_tool('tools/misc/make_tiny_clip.py').main([path])
    return path


@pytest.fixture(scope='session')
def tiny_demo_text_bank(tiny_clip_file, tiny_motion_demo, tmp_path_factory):
    """The tiny motion demo's text bank (4 classes x ActionCLIP's 16 templates x 32), built by the tool."""
    from helpers import load_tool
    path = str(tmp_path_factory.mktemp('text_bank') / 'bank.pth')
    load_tool('tools/build_text_bank.py').main([tiny_clip_file, osp.join(tiny_motion_demo, 'classes.txt'), path])
    return path
