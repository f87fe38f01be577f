import random
from types import SimpleNamespace

import numpy as np
import torch

from mmaction_ext.engine.hooks import EpochSeedHook


def _draws():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_same_epoch_same_draws_whatever_came_before():
    hook = EpochSeedHook()
    runner = SimpleNamespace(seed=3, epoch=2)
    hook.before_train_epoch(runner)
    first = _draws()
    _draws()  # anything else consuming randomness in between
    hook.before_train_epoch(runner)
    assert _draws() == first


def test_epochs_and_seeds_get_different_streams():
    hook = EpochSeedHook()
    results = set()
    for seed, epoch in [(0, 0), (0, 1), (1, 0)]:
        hook.before_train_epoch(SimpleNamespace(seed=seed, epoch=epoch))
        results.add(_draws())
    assert len(results) == 3


def test_unseeded_runner_is_left_alone():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    EpochSeedHook().before_train_epoch(SimpleNamespace(seed=None, epoch=0))
    assert torch.equal(torch.rand(1), expected)
