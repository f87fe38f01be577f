"""tools/demo_video.py: predictions drawn on the video and written as JSON, on the demo data and a real clip."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from helpers import REPO_ROOT, VIDEO_FOCALNET_DEMO_CONFIG, load_tool, run_tool
from mmaction_ext.apis import inference, init_model

ORACLE = osp.join(REPO_ROOT, 'configs', 'detection_eval', 'oracle-tube_16x1x1_motion-demo.py')


def decoded(path):
    capture = cv2.VideoCapture(path)
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(frame)
    capture.release()
    return np.stack(frames)


def test_oracle_demo_on_a_generated_clip(tiny_detection_demo, tmp_path):
    """A generated clip with known actors: the JSON boxes are the API's prediction (the ground truth, for the
    oracle), the drawn video decodes with every frame, enlarged 4x, with each tube's box drawn in its colour."""
    tool = load_tool('tools/demo_video.py')
    video = osp.join(tiny_detection_demo, 'videos', 'val_0002.mp4')
    options = [f'test_dataloader.dataset.ann_file={tiny_detection_demo}/motion_demo-GT.pkl',
               f'test_dataloader.dataset.data_prefix.video={tiny_detection_demo}/videos']
    out = str(tmp_path / 'drawn.mp4')
    result = tool.main([ORACLE, 'none', video, '--out', out, '--cfg-options', *options])
    saved = json.load(open(str(tmp_path / 'drawn.json')))
    model = init_model(ORACLE, None, cfg_options=dict(option.split('=') for option in options))
    assert saved == json.loads(json.dumps(inference(model, video))) == json.loads(json.dumps(result))
    frames = decoded(out)
    assert frames.shape == (32, 288, 384, 3)  # 72 x 96 enlarged 4x for legible labels
    # Each tube's box is drawn where the JSON puts it: the drawn frame departs from the enlarged source along the
    # box's left edge.
    source = decoded(video)
    for tube in saved['tubes']:
        index = len(tube['frames']) // 2
        frame, (x1, y1, _, y2) = tube['frames'][index], (int(round(v * 4)) for v in tube['boxes'][index])
        plain = cv2.resize(source[frame], None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST).astype(int)
        change = np.abs(frames[frame].astype(int) - plain).sum(-1)
        assert change[y1 + 8:y2 - 8, x1:x1 + 2].mean() > 60, tube['id']


def test_recognizer_demo_on_a_real_video(shared_data, tmp_path):
    """The tiny Video-FocalNet (random weights) on MMAction2's 280-frame demo video, from the command line."""
    video = osp.join(shared_data, 'mmaction2_testdata', 'demo', 'demo.mp4')
    out = str(tmp_path / 'demo.mp4')
    result = run_tool(['tools/demo_video.py', VIDEO_FOCALNET_DEMO_CONFIG, 'none', video, '--out', out, '--top-k', '2',
                       '--json', str(tmp_path / 'p.json')])
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'drawing: 100%' in result.stdout and 'clips' not in result.stdout.split('drawing')[0][-200:]
    saved = json.load(open(str(tmp_path / 'p.json')))
    assert saved['task'] == 'recognition' and len(saved['predictions']) == 2 and len(saved['scores']) == 12
    assert abs(sum(saved['scores']) - 1) < 1e-4  # averaged softmax over the 3 x 3 views
    frames = decoded(out)
    assert frames.shape == (280, 256, 340, 3)
    source = cv2.VideoCapture(video)
    _, first = source.read()
    source.release()
    # the label box (dark grey) at the top left, the rest of the frame as decoded
    assert np.abs(frames[0, 5, 5].astype(int) - 40).max() < 30
    assert np.abs(frames[0, 200:, 200:].astype(int) - first[200:, 200:]).mean() < 6
    with pytest.raises(FileNotFoundError, match='video not found: .*nope.mp4'):
        load_tool('tools/demo_video.py').main([VIDEO_FOCALNET_DEMO_CONFIG, 'none', str(tmp_path / 'nope.mp4'),
                                               '--out', out])
