"""ART's pictures: tracklets over a demo clip (Fig. 8) and the t-SNE of the text bank (Fig. 6)."""
import glob
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from helpers import REPO_ROOT, load_tool
from mmaction_ext.models.layers.text_bank import load_text_bank

ART = osp.join(REPO_ROOT, 'configs', 'art', 'art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py')


def test_tracklet_maps_boxes_png_and_mp4(tiny_demo_text_bank, tiny_motion_demo, tmp_path):
    import cv2
    tool = load_tool('tools/analysis/art_tracklets.py')
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    out, mp4 = str(tmp_path / 'tracklets.png'), str(tmp_path / 'tracklets.mp4')
    options = ['--cfg-options', f'model.cls_head.text_bank={tiny_demo_text_bank}', 'model.cls_head.num_classes=4']
    maps, boxes, _ = tool.main([ART, 'none', video, out, '--mp4', mp4, *options])
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


def test_tracklets_as_tubes_scored_against_real_ground_truth(tiny_demo_text_bank, ucf24_act, shared_data,
                                                              tmp_path):
    """Beyond the paper: tracklets exported in the tube format and scored by the package's frame-AP against real
    UCF101-24 boxes (JHMDB's frames are not available here; its ground truth alone cannot be scored)."""
    import numpy as np

    from mmaction_ext.evaluation.functional.average_precision import frame_ap
    from mmaction_ext.fileio import load_pickle_safely
    tool = load_tool('tools/analysis/art_tracklets.py')
    video = osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', 'v_Basketball_g01_c02.mp4')  # 340 x 256
    tubes_file = str(tmp_path / 'tubes.pkl')
    _, _, tubes = tool.main([ART, 'none', video, str(tmp_path / 't.png'), '--tubes', tubes_file, '--cfg-options',
                             f'model.cls_head.text_bank={tiny_demo_text_bank}', 'model.cls_head.num_classes=4'])
    saved = load_pickle_safely(tubes_file)
    assert saved['video'] == video and np.array_equal(saved['bboxes'], tubes['bboxes'])
    bboxes, scores, frame_ids = tubes['bboxes'], tubes['scores'], np.asarray(tubes['frame_ids'])
    assert bboxes.shape == (2, 8, 4) and scores.shape == (2, 8, 1) and tubes['original_shape'] == (256, 340)
    assert list(np.diff(frame_ids)) == [2] * 7 and 1 <= frame_ids.min() and frame_ids.max() <= 180
    # Boxes are whole token cells of the 80 px input (5 x 5 cells), scaled to the video: 68 x 51.2 px cells.
    np.testing.assert_allclose(bboxes[..., 0::2] / 68, np.round(bboxes[..., 0::2] / 68), atol=1e-4)
    np.testing.assert_allclose(bboxes[..., 1::2] / 51.2, np.round(bboxes[..., 1::2] / 51.2), atol=1e-4)
    # The ground-truth tube (320 x 240 annotation pixels) in the video's 340 x 256 pixels.
    _, annos = ucf24_act
    (tube, ) = annos['gttubes']['Basketball/v_Basketball_g01_c02'][0]
    gt = np.c_[tube[:, :1], tube[:, 1:5] * [340 / 320, 256 / 240, 340 / 320, 256 / 240]]
    gttubes = {'clip': {0: [gt[np.isin(gt[:, 0], frame_ids)]]}}
    detections = np.array([[0, f, 0, scores[k, t, 0], *bboxes[k, t]] for k in range(2)
                           for t, f in enumerate(frame_ids)])
    ap, _ = frame_ap(gttubes, ['clip'], detections, num_classes=1)  # class-agnostic frame-AP@0.5
    assert 0 <= ap <= 1
    oracle = np.array([[0, row[0], 0, 1.0, *row[1:]] for row in gttubes['clip'][0][0]])
    assert frame_ap(gttubes, ['clip'], oracle, num_classes=1)[0] == 1.0  # same frames, same pixels


def test_zero_shot_split_lists_and_names(tiny_motion_demo, tmp_path):
    """tools/data/split_classes.py: the kept classes' videos, renumbered in the given order, and their names."""
    tool = load_tool('tools/data/split_classes.py')
    out, names = str(tmp_path / 'unseen.txt'), str(tmp_path / 'unseen_classes.txt')
    kept = tool.main([f'{tiny_motion_demo}/val_list.txt', f'{tiny_motion_demo}/classes.txt', out, '--classes', '3',
                      '1', '--names-out', names])
    with open(f'{tiny_motion_demo}/val_list.txt') as stream:
        source = [line.split() for line in stream if line.strip()]
    expected = [f'{path} {0 if label == "3" else 1}\n' for path, label in source if label in ('3', '1')]
    assert kept == expected and len(kept) == 4
    with open(f'{tiny_motion_demo}/classes.txt') as stream:
        classes = [line.strip() for line in stream]
    with open(names) as stream:
        assert [line.strip() for line in stream] == [classes[3], classes[1]]
    with pytest.raises(ValueError, match=r'--classes \[1, 1\]: need distinct labels in \[0, 4\)'):
        tool.main([f'{tiny_motion_demo}/val_list.txt', f'{tiny_motion_demo}/classes.txt', out, '--classes', '1', '1'])
