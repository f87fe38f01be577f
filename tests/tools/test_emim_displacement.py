"""tools/analysis/emim_displacement.py draws the displacement field of an EMIM block over a demo video."""
import glob
import os.path as osp

import cv2

from helpers import EMIM_DEMO_CONFIG, run_tool


def test_draws_the_displacement_of_the_first_emim_block(tiny_motion_demo, tmp_path):
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    out = str(tmp_path / 'field.png')
    result = run_tool(['tools/analysis/emim_displacement.py', EMIM_DEMO_CONFIG, 'none', video, out, '--frame', '2'])
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'blocks3.0, frame 2: 5x5 tokens' in result.stdout
    image = cv2.imread(out)
    assert image is not None and image.shape[0] == image.shape[1] and image.shape[0] >= 240
    wrong = run_tool(['tools/analysis/emim_displacement.py', EMIM_DEMO_CONFIG, 'none', video, out, '--block',
                      'blocks3.1'])
    assert wrong.returncode == 1 and "no EMIM block 'blocks3.1'; the EMIM blocks are ['blocks3.0']" in wrong.stdout
    assert 'Traceback' not in wrong.stdout
