"""The README's main job (tools/demo.sh) in its short mode: train, multi-view test, the three pictures."""
import json
import os
import os.path as osp
import subprocess

import pytest

from helpers import REPO_ROOT


@pytest.mark.slow
def test_main_job_short_mode_writes_numbers_and_pictures(tmp_path):
    work_dir = str(tmp_path / 'job')
    env = dict(os.environ, SKIP_INSTALL='1', PYTHONUNBUFFERED='1')
    result = subprocess.run(['bash', 'tools/demo.sh', work_dir, '--quick'], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=1200)
    assert result.returncode == 0, result.stdout[-5000:]
    assert '== 2/5 train' in result.stdout and 'Epoch(val) [1]' in result.stdout
    with open(osp.join(work_dir, 'summary.json')) as f:
        summary = json.load(f)
    # --quick tests one clip per class through 3 clips x 3 crops.
    assert summary['num_clips'] == 12 and len(summary['confusion']) == 12
    assert f'test top-1 {summary["top1"]:.4f}' in result.stdout
    import matplotlib.image as mpimg
    for name in ('learning_curve.png', 'confusion_matrix.png', 'attention_map.png'):
        image = mpimg.imread(osp.join(work_dir, name))
        assert image.shape[0] > 100 and image.shape[1] > 100, name
        assert image[..., :3].std() > 0.03, f'{name} is blank'
