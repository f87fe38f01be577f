"""tools/analysis/demo_report.py: the main job's numbers and pictures from a training log and test predictions."""
import json
import pickle

import numpy as np
import pytest
import torch

from helpers import load_tool

report = load_tool('tools/analysis/demo_report.py')


def test_confusion_and_accuracies_on_a_hand_computed_case():
    truth = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 0, 1, 1, 0, 2])
    matrix = report.confusion_matrix(truth, predicted, 4)
    np.testing.assert_array_equal(matrix, [[2, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]])
    acc = report.accuracies(matrix)
    assert acc['top1'] == pytest.approx(4 / 6)
    assert acc['mean_class'] == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)  # class 3 has no clips: not averaged


def test_running_mean():
    np.testing.assert_allclose(report.running_mean([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(report.running_mean([5.0], 20), [5.0])


def write_run(tmp_path, predictions):
    log = tmp_path / 'work' / '20261207_000000' / 'vis_data'
    log.mkdir(parents=True)
    lines = [dict(lr=1e-3, loss=2.5 - 0.01 * i, step=10 * (i + 1)) for i in range(30)]
    lines += [{'acc/top1': 0.2, 'acc/mean1': 0.2, 'step': 1}, {'acc/top1': 0.6, 'acc/mean1': 0.55, 'step': 2}]
    (log / 'scalars.json').write_text(''.join(json.dumps(line) + '\n' for line in lines))
    with open(tmp_path / 'predictions.pkl', 'wb') as f:
        pickle.dump(predictions, f)


def test_pictures_and_summary(tmp_path):
    rng = np.random.default_rng(0)
    predictions = [dict(gt_label=torch.tensor([i % 12]), pred_score=torch.tensor(rng.random(12))) for i in range(36)]
    for sample in predictions[:24]:
        sample['pred_score'][int(sample['gt_label'])] = 2.0  # the first 24 clips right
    write_run(tmp_path, predictions)
    report.main([str(tmp_path / 'work'), str(tmp_path / 'predictions.pkl'), '--summary', str(tmp_path / 's.json')])
    summary = json.loads((tmp_path / 's.json').read_text())
    truth = [i % 12 for i in range(36)]
    expected_right = 24 + sum(int(np.asarray(p['pred_score']).argmax()) == t for p, t in zip(predictions[24:], truth[24:]))
    assert summary['top1'] == pytest.approx(expected_right / 36)
    assert summary['num_clips'] == 36 and summary['classes'][0] == 'move_right_slow'
    assert summary['val_top1'] == [[1, 0.2], [2, 0.6]]
    assert np.trace(np.array(summary['confusion'])) == expected_right
    import matplotlib.image as mpimg
    for name in ('learning_curve.png', 'confusion_matrix.png'):
        image = mpimg.imread(tmp_path / 'work' / name)
        assert image.shape[0] > 300 and image.shape[1] > 300
        assert image[..., :3].std() > 0.05  # not a blank canvas


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='no \\*/vis_data/scalars.json'):
        report.read_scalars(str(tmp_path))
    with open(tmp_path / 'p.pkl', 'wb') as f:
        pickle.dump([dict(gt_label=torch.tensor([0]))], f)
    with pytest.raises(ValueError, match=r"p.pkl: prediction 0 has no \['pred_score'\]"):
        report.read_predictions(str(tmp_path / 'p.pkl'))
