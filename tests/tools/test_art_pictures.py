"""ART's pictures: tracklets over a demo clip (Fig. 8) and the t-SNE of the text bank (Fig. 6)."""
import glob
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from helpers import REPO_ROOT, load_tool
from mmaction_ext.models.layers.text_bank import load_text_bank

ART = osp.join(REPO_ROOT, 'configs', 'art', 'art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-large.py')


def test_tracklet_maps_boxes_png_and_mp4(tiny_demo_text_bank, tiny_motion_demo, tmp_path):
    import cv2
    tool = load_tool('tools/analysis/art_tracklets.py')
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    out, mp4 = str(tmp_path / 'tracklets.png'), str(tmp_path / 'tracklets.mp4')
    options = ['--cfg-options', f'model.cls_head.text_bank={tiny_demo_text_bank}', 'model.cls_head.num_classes=4']
    maps, boxes = tool.main([ART, 'none', video, out, '--mp4', mp4, *options])
    assert maps.shape == (8, 2, 5, 5)  # 8 frames, K = 2 tracklets, 5 x 5 tokens at 80 px
    sums = maps.flatten(2).sum(-1)
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5)  # softmax over the frame's tokens
    assert boxes.shape == (8, 2, 4) and (boxes[..., 2:] > boxes[..., :2]).all()
    assert boxes.min() >= 0 and boxes.max() <= 80
    # Each box holds the frame's strongest cell of that tracklet.
    t, k = 3, 1
    row, column = divmod(int(maps[t, k].flatten().argmax()), 5)
    x1, y1, x2, y2 = boxes[t, k].tolist()
    assert x1 <= column * 16 < x2 and y1 <= row * 16 < y2
    assert osp.getsize(out) > 10000
    capture = cv2.VideoCapture(mp4)
    assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 8
    capture.release()
    with pytest.raises(ValueError, match='no region queries'):
        tool.main([ART, 'none', video, out, *options, 'model.cls_head.rssa=False'])


def test_bank_tsne_scores_separation(tiny_demo_text_bank, tmp_path):
    tool = load_tool('tools/analysis/art_text_bank_tsne.py')
    initial = load_text_bank(tiny_demo_text_bank)['bank']
    # A "fine-tuned" bank whose templates collapse towards their class centre: better separated.
    tuned = F.normalize(initial + 3 * initial.mean(dim=1, keepdim=True), dim=-1)
    checkpoint = str(tmp_path / 'art.pth')
    torch.save({'state_dict': {'cls_head.semantic_bank.bank': tuned}}, checkpoint)
    out = str(tmp_path / 'tsne.png')
    scores = tool.main([tiny_demo_text_bank, checkpoint, out])
    assert scores['S after fine-tuning'] > scores['S^0 (CLIP text bank)']
    assert scores['S^0 (CLIP text bank)'] == pytest.approx(tool.separation(initial))
    assert osp.getsize(out) > 5000
    torch.save({'state_dict': {}}, checkpoint)
    with pytest.raises(KeyError, match='has no cls_head.semantic_bank.bank'):
        tool.main([tiny_demo_text_bank, checkpoint, out])
