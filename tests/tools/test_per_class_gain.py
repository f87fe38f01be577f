"""tools/analysis/per_class_gain.py on hand-made test dumps."""
import csv
import pickle

import pytest
import torch

from helpers import REPO_ROOT, RunsCode
from mmaction_ext.fileio import UnsafeAnnotationError


def _tool():
    """The tool's module, imported in-process."""
    import importlib.util
    spec = importlib.util.spec_from_file_location('per_class_gain', f'{REPO_ROOT}/tools/analysis/per_class_gain.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _dump(path, preds, labels, classes=4):
    samples = [dict(pred_score=torch.nn.functional.one_hot(torch.tensor(p), classes).float(),
                    gt_label=torch.tensor([l])) for p, l in zip(preds, labels)]
    with open(path, 'wb') as f:
        pickle.dump(samples, f)


def test_gains_csv_and_plot(tmp_path):
    labels = [0, 0, 1, 1, 2, 2, 3, 3]
    _dump(tmp_path / 'a.pkl', [0, 1, 0, 0, 2, 2, 3, 0], labels)  # per class 0.5, 0, 1, 0.5
    _dump(tmp_path / 'b.pkl', [0, 0, 1, 0, 2, 0, 3, 3], labels)  # per class 1, 0.5, 0.5, 1
    (tmp_path / 'classes.txt').write_text('walk\nrun\njump\nspin\n')
    _tool().main([str(tmp_path / 'a.pkl'), str(tmp_path / 'b.pkl'), '--out-dir', str(tmp_path / 'out'), '--topk', '2',
                  '--classes', str(tmp_path / 'classes.txt')])
    with open(tmp_path / 'out' / 'per_class_gain.csv') as f:
        rows = list(csv.DictReader(f))
    assert [(r['class'], float(r['gain'])) for r in rows] == [('walk', 0.5), ('run', 0.5), ('spin', 0.5),
                                                              ('jump', -0.5)]
    assert (tmp_path / 'out' / 'per_class_gain.png').stat().st_size > 1000


def test_mismatched_dumps_and_unsafe_files_are_refused(tmp_path):
    per_class_gain = _tool()
    _dump(tmp_path / 'a.pkl', [0, 1], [0, 1])
    _dump(tmp_path / 'b.pkl', [0, 1, 1], [0, 1, 1])
    with pytest.raises(ValueError, match='do not hold the same test samples'):
        per_class_gain.main([str(tmp_path / 'a.pkl'), str(tmp_path / 'b.pkl'), '--out-dir', str(tmp_path / 'out')])
    with open(tmp_path / 'evil.pkl', 'wb') as f:
        pickle.dump([dict(pred_score=RunsCode(tmp_path / 'pwned'))], f)
    with pytest.raises(UnsafeAnnotationError, match='evil.pkl'):
        per_class_gain.predictions(str(tmp_path / 'evil.pkl'))
    assert not (tmp_path / 'pwned').exists()
