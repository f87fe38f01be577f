"""Every config trained on the motion demo keeps its labels: no horizontal flip, which mirrors the motion.

The demo's classes are directions of motion (docs/demo_data.md): a horizontal flip turns a clip of
``move_right_slow`` into one that moves left, ``rotate_clockwise`` into a counter-clockwise rotation. The first test
shows it on a rendered clip; the second checks that no demo config's training pipeline flips."""
import glob
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

from helpers import REPO_ROOT
from mmaction_ext.datasets.synthetic.motions import MOTION_CLASSES
from mmaction_ext.datasets.synthetic.scene import ClassificationClip

DEMO_CONFIGS = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*.py')) if 'motion-demo' in p)
FLIPS = ('Flip', 'TubeFlip')


def test_a_flip_reverses_the_direction_of_a_demo_clip():
    clip = ClassificationClip(np.random.default_rng(0), MOTION_CLASSES.index('move_right_fast'), 8, 64, 'static')
    frames = clip[np.arange(8)].astype(float)
    frames = frames - np.median(frames, axis=0)  # the still background of the 'static' rung removed: the actor
    flipped = frames[:, :, ::-1]

    def horizontal_shift(video):  # the shift that best aligns the actor of frame 0 with frame 4 (torus), + = right
        errors = {dx: np.abs(np.roll(video[0], dx, axis=1) - video[4]).mean() for dx in range(-20, 21)}
        return min(errors, key=errors.get)

    assert horizontal_shift(frames) > 4 and horizontal_shift(flipped) < -4


@pytest.mark.parametrize('path', DEMO_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_demo_configs_do_not_flip(path):
    cfg = Config.fromfile(path)
    loader = cfg.get('train_dataloader')
    if not loader:
        return  # test-only configs (oracles)
    dataset = loader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:
        dataset = dataset.dataset
    flips = [step['type'] for step in dataset.pipeline if step['type'] in FLIPS]
    assert not flips, f'{osp.basename(path)} flips ({flips}): the motion demo labels directions'
