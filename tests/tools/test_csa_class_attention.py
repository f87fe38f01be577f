"""tools/analysis/csa_class_attention.py on the tiny CSA configs (untrained: the maps' layout, not their
content): one PNG per actor with the frame panel and one panel per class, in both decoding modes."""
import glob

import cv2
import pytest

from helpers import run_tool
from helpers.csa import CSA_AVA_CONFIG, CSA_TUBE_CONFIG, csa_demo_options


@pytest.mark.parametrize('config, flavour', [(CSA_TUBE_CONFIG, 'tube'), (CSA_AVA_CONFIG, 'ava')])
def test_one_png_per_actor_with_class_panels(detection_demo_frames, tmp_path, config, flavour):
    out = tmp_path / 'maps'
    result = run_tool(['tools/analysis/csa_class_attention.py', config, 'none', str(out), '--actor-thr', '0',
                       '--top-classes', '2', '--cfg-options', *csa_demo_options(detection_demo_frames, flavour)])
    assert result.returncode == 0, result.stdout[-3000:]
    pngs = sorted(glob.glob(str(out / '*.png')))
    assert len(pngs) == 4  # --actor-thr 0: every one of the 4 actor queries
    # the 112 px frame with its box, then 2 class panels, each under an 18 px title bar
    assert cv2.imread(pngs[0]).shape == (112 + 18, 3 * 112, 3)


def test_frame_outside_the_clip_is_named(detection_demo_frames, tmp_path):
    result = run_tool(['tools/analysis/csa_class_attention.py', CSA_TUBE_CONFIG, 'none', str(tmp_path), '--frame', '9',
                       '--cfg-options', *csa_demo_options(detection_demo_frames, 'tube')])
    assert result.returncode == 1 and '--frame 9' in result.stdout and 'Traceback' not in result.stdout
