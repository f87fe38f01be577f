"""The pins of docs/install.md, each checked on the behaviour it protects."""
import importlib.metadata as metadata
import os.path as osp

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from helpers import DEMO_CONFIG, REPO_ROOT


def _constraints():
    with open(osp.join(REPO_ROOT, 'requirements', 'constraints.txt')) as f:
        return [Requirement(line) for line in (raw.split('#')[0].strip() for raw in f) if line]


@pytest.mark.parametrize('requirement', _constraints(), ids=str)
def test_installed_versions_satisfy_the_constraints(requirement):
    assert Version(metadata.version(requirement.name)) in requirement.specifier


def test_setup_py_declares_the_pins():
    declared = {Requirement(r).name: Requirement(r) for r in metadata.requires('mmaction-ext') or []
                if 'extra ==' not in r}
    for name in ('numpy', 'setuptools', 'importlib-metadata', 'mmengine', 'mmaction2', 'mmdet'):
        assert name in {n.replace('_', '-') for n in declared}, f'{name} missing from install_requires'
    assert Version('2.0') not in declared['numpy'].specifier
    assert Version('82') not in declared['setuptools'].specifier


def test_mmaction_base_configs_resolve():
    """setuptools >= 82 drops pkg_resources and mmengine 0.10.7 can no longer find 'mmaction::'."""
    from mmengine.config import Config
    cfg = Config.fromfile(DEMO_CONFIG)
    assert cfg.default_scope == 'mmaction'  # from mmaction::_base_/default_runtime.py
    assert cfg.model.backbone.type == 'ResNet3d'


def test_mmaction_dependency_module_imports():
    """mmaction.utils.dependency imports importlib_metadata, which mmaction2 does not declare."""
    import mmaction.utils.dependency  # noqa: F401


def test_color_jitter_on_uint8_frames():
    """ColorJitter overflows uint8 arithmetic under NumPy 2 (NEP 50)."""
    from mmaction.datasets.transforms import ColorJitter
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(4)]
    out = ColorJitter()(dict(imgs=[img.copy() for img in imgs]))['imgs']
    assert len(out) == 4
    for img in out:
        assert img.shape == (16, 16, 3)
        assert img.min() >= 0 and img.max() <= 255


def test_multisports_spatiotemporal_iou():
    """multisports_utils.iou3dt_voc does int(array), a TypeError under NumPy 2."""
    from mmaction.evaluation.functional.multisports_utils import iou3dt_voc
    frames = np.arange(1, 11, dtype=np.float32)[:, None]
    box = np.array([[0, 0, 10, 10]], np.float32).repeat(10, 0)
    tube1 = np.hstack([frames, box])
    tube2 = np.hstack([frames + 5, box])
    # Frames 6..10 overlap within 1..15, identical boxes. This implementation measures durations as
    # last - first (no +1, unlike ACT's convention): (10 - 6) / (15 - 1).
    assert iou3dt_voc(tube1, tube2) == pytest.approx(4 / 14)
