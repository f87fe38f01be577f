"""mmaction2 1.2.0's wheel lacks localizers/drn (open-mmlab/mmaction2#2714)."""
import subprocess
import sys

import pytest

from mmaction_ext.compat import DRN_UNAVAILABLE, drn_is_missing


def _python(code):
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300)


@pytest.mark.skipif(not drn_is_missing(), reason='this mmaction2 ships DRN; the placeholder stays out')
def test_stock_import_fails_and_ours_fixes_it():
    stock = _python('import mmaction.models')
    assert stock.returncode != 0 and 'drn' in stock.stderr, stock.stderr[-2000:]

    fixed = _python('import mmaction_ext, mmaction.models; '
                    'from mmaction.registry import MODELS; print(MODELS.get("I3DHead").__name__)')
    assert fixed.returncode == 0, fixed.stderr[-2000:]
    assert fixed.stdout.strip() == 'I3DHead'


@pytest.mark.skipif(not drn_is_missing(), reason='this mmaction2 ships DRN; the placeholder stays out')
def test_building_drn_names_the_problem():
    import mmaction.models  # noqa: F401
    from mmaction.registry import MODELS
    with pytest.raises(ImportError) as info:
        MODELS.build(dict(type='DRN'))
    assert str(info.value) == DRN_UNAVAILABLE or DRN_UNAVAILABLE in str(info.value)
    assert '2714' in str(info.value)


def test_drn_detection_matches_the_files():
    import importlib.util
    import os.path as osp
    root = importlib.util.find_spec('mmaction').submodule_search_locations[0]
    on_disk = osp.isfile(osp.join(root, 'models', 'localizers', 'drn', '__init__.py'))
    assert drn_is_missing() is (not on_disk)
