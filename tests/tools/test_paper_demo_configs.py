"""tools/train.py and tools/test.py run each paper's tiny demo config end to end on CPU, and the numbers they
print are the ones the predictions give."""
import math
import os.path as osp
import pickle
import re

import numpy as np
import pytest

from helpers import EMIM_DEMO_CONFIG, VIDEO_FOCALNET_DEMO_CONFIG, logged_losses, run_tool, tiny_demo_options


@pytest.mark.parametrize('config, backbone', [(VIDEO_FOCALNET_DEMO_CONFIG, 'VideoFocalNet'),
                                              (EMIM_DEMO_CONFIG, 'UniFormerEMIM')])
def test_train_then_multiview_test_tiny_paper_model(config, backbone, tiny_motion_demo, tmp_path):
    work_dir = str(tmp_path)
    options = tiny_demo_options(tiny_motion_demo, epochs=1, config=config)
    trained = run_tool(['tools/train.py', config, '--work-dir', work_dir, '--cfg-options', *options])
    assert trained.returncode == 0, trained.stdout[-4000:]
    assert backbone in trained.stdout and 'Epoch(val) [1]' in trained.stdout
    # Every training step is logged (interval 1): 16 clips, batch 4. At init the 4-class loss is about ln 4.
    losses = [loss for _, loss in sorted(logged_losses(work_dir).items())]
    assert len(losses) == 4 and all(math.isfinite(v) for v in losses)
    assert abs(losses[0] - math.log(4)) < 0.3, losses

    checkpoint = osp.join(work_dir, 'epoch_1.pth')
    dump = str(tmp_path / 'preds.pkl')
    tested = run_tool(['tools/test.py', config, checkpoint, '--work-dir', work_dir, '--dump', dump,
                       '--cfg-options', *options])
    assert tested.returncode == 0, tested.stdout[-4000:]
    summary = tested.stdout.split('Test results of')[-1]
    printed = {name: float(value) for name, value in re.findall(r'(acc/\w+)\s+([\d.]+)', summary)}
    with open(dump, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 8  # 4 classes x 2 validation clips
    scores = np.stack([np.asarray(p['pred_score']) for p in predictions])
    labels = np.array([int(np.asarray(p['gt_label']).reshape(-1)[0]) for p in predictions])
    correct = scores.argmax(1) == labels
    per_class = [correct[labels == c].mean() for c in range(4)]
    assert printed['acc/top1'] == round(float(correct.mean()), 4)
    assert printed['acc/mean1'] == round(float(np.mean(per_class)), 4)
    np.testing.assert_allclose(scores.sum(1), 1.0, atol=1e-5)  # multi-view probabilities averaged
