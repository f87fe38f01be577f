"""tools/analysis/emim_displacement.py draws the displacement field of an EMIM block over a demo video."""
import glob
import os.path as osp

import cv2
import pytest

from helpers import EMIM_DEMO_CONFIG, load_tool


def test_draws_the_displacement_of_the_first_emim_block(tiny_motion_demo, tmp_path, capsys):
    tool = load_tool('tools/analysis/emim_displacement.py')
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    out = str(tmp_path / 'field.png')
    tool.main([EMIM_DEMO_CONFIG, 'none', video, out, '--frame', '2'])
    assert 'blocks3.0, frame 2: 5x5 tokens' in capsys.readouterr().out
    image = cv2.imread(out)
    assert image is not None and image.shape[0] == image.shape[1] and image.shape[0] >= 240
    with pytest.raises(ValueError, match=r"no EMIM block 'blocks3.1'; the EMIM blocks are \['blocks3.0'\]"):
        tool.main([EMIM_DEMO_CONFIG, 'none', video, out, '--block', 'blocks3.1'])
