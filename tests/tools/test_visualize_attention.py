"""tools/visualize_attention.py: one map per model type (each paper's own, and MMAction2's Grad-CAM), as a PNG
grid or an MP4 overlay, on demo clips and a real one."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest

from helpers import EMIM_DEMO_CONFIG, REPO_ROOT, VIDEO_FOCALNET_DEMO_CONFIG, load_tool

CONFIGS = osp.join(REPO_ROOT, 'configs')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/visualize_attention.py')


@pytest.fixture(scope='module')
def demo_video(tiny_motion_demo):
    return sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]


def frame_count(path):
    capture = cv2.VideoCapture(path)
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    capture.release()
    return count


def check_png(path, rows, columns=8):
    image = cv2.imread(path)
    # rows x columns panels of 160 px (80 px input enlarged 2x) under a 16 px title bar
    assert image.shape == (rows * 176, columns * 160, 3)
    return image


def test_video_focalnet_modulators_on_a_real_video(tool, shared_data, tmp_path):
    video = osp.join(shared_data, 'mmaction2_testdata', 'demo', 'demo.mp4')
    kind, panels = tool.main([VIDEO_FOCALNET_DEMO_CONFIG, 'none', video, str(tmp_path / 'm.png')])
    # the tiny model's two stages, each with the spatial and the temporal modulator
    assert kind == 'video_focalnet' and [t for t, _ in panels] == [
        'stage 1 spatial', 'stage 1 temporal', 'stage 2 spatial', 'stage 2 temporal']
    check_png(str(tmp_path / 'm.png'), rows=4)
    # a heat map over the frame: the panels differ from frame to frame and from each other
    assert not np.array_equal(panels[0][1], panels[2][1]) and not np.array_equal(panels[0][1][0], panels[0][1][7])


def test_emim_displacement_mp4(tool, demo_video, tmp_path):
    out = str(tmp_path / 'emim.mp4')
    kind, panels = tool.main([EMIM_DEMO_CONFIG, 'none', demo_video, out])
    assert kind == 'emim' and [t for t, _ in panels] == ['blocks3.0 displacement', 'blocks3.0 |displacement|']
    assert frame_count(out) == 8
    arrows = panels[0][1]
    assert arrows.shape == (8, 80, 80, 3) and (arrows == [255, 255, 0]).all(-1).any()  # arrows drawn in cyan


def test_focusvideo_query_attention(tool, demo_video, tiny_clip_file, tmp_path):
    config = osp.join(CONFIGS, 'focusvideo', 'focusvideo_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py')
    kind, panels = tool.main([config, 'none', demo_video, str(tmp_path / 'q.png'), '--cfg-options',
                              f'model.backbone.pretrained={tiny_clip_file}'])
    assert kind == 'focusvideo' and [t for t, _ in panels] == ['class token', 'query 0', 'query 1', 'query 2']
    check_png(str(tmp_path / 'q.png'), rows=4)


def test_art_tracklets(tool, demo_video, tiny_demo_text_bank, tmp_path):
    config = osp.join(CONFIGS, 'art', 'art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py')
    kind, panels = tool.main([config, 'none', demo_video, str(tmp_path / 't.png'), '--cfg-options',
                              f'model.cls_head.text_bank={tiny_demo_text_bank}', 'model.cls_head.num_classes=4'])
    assert kind == 'art' and [t for t, _ in panels] == ['tracklet 0', 'tracklet 1']
    check_png(str(tmp_path / 't.png'), rows=2)
    assert (panels[0][1] == 255).all(-1).any()  # each tracklet's box, in white


def test_csa_class_attention_on_a_demo_clip(tool, tiny_detection_demo, tmp_path):
    config = osp.join(CONFIGS, 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py')
    out = str(tmp_path / 'csa.mp4')
    kind, panels = tool.main([config, 'none', osp.join(tiny_detection_demo, 'videos', 'val_0000.mp4'), out])
    assert kind == 'csa' and len(panels) == 2 and all(t.startswith('actor ') for t, _ in panels)
    assert panels[0][1].shape == (8, 112, 112, 3) and frame_count(out) == 8


def test_gradcam_for_any_recognizer(tool, demo_video, tmp_path):
    config = osp.join(CONFIGS, 'demo', 'r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py')
    kind, panels = tool.main([config, 'none', demo_video, str(tmp_path / 'g.png')])
    assert kind == 'gradcam' and [t for t, _ in panels] == ['Grad-CAM backbone/layer4/1/relu']
    check_png(str(tmp_path / 'g.png'), rows=1)
    kind, _ = tool.main([EMIM_DEMO_CONFIG, 'none', demo_video, str(tmp_path / 'e.png'), '--method', 'gradcam',
                         '--target-layer', 'backbone/blocks3/0'])
    assert kind == 'gradcam'
    with pytest.raises(ValueError, match='name the layer with --target-layer'):
        tool.main([EMIM_DEMO_CONFIG, 'none', demo_video, str(tmp_path / 'e.png'), '--method', 'gradcam'])
    with pytest.raises(ValueError, match=r'write a \.png \(grid\) or an \.mp4'):
        tool.main([config, 'none', demo_video, str(tmp_path / 'g.gif')])
