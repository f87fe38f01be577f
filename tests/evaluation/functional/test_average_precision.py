"""Frame-AP and video-AP (after linking and 3D NMS): hand-computed cases and published numbers on real
ground truth."""
import os.path as osp
import pickle

import numpy as np
import pytest

from helpers.tubes import BOX, detections_from, tube
from mmaction_ext.evaluation.functional import average_precision, build_video_tubes, frame_ap, video_ap


def test_average_precision_hand_computed():
    # TP, FP, TP with 2 GT: precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1.
    is_tp = np.array([True, False, True])
    assert average_precision(is_tp, 2, 'voc') == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)
    # Trapezoids from (0, 1): (0->0.5: 1, 1), (0.5->0.5), (0.5->1: 1/2, 2/3).
    assert average_precision(is_tp, 2, 'act') == pytest.approx(0.5 + 0.5 * (0.5 + 2 / 3) / 2)
    assert average_precision(np.zeros(0, bool), 3) == 0.0
    with pytest.raises(ValueError, match='num_gt'):
        average_precision(is_tp, 0)


@pytest.fixture
def two_video_gt():
    gttubes = {'a': {0: [tube(1, 4)]}, 'b': {1: [tube(1, 4, [20, 20, 40, 40])], 0: [tube(3, 6, [50, 50, 60, 60])]}}
    return gttubes, ['a', 'b']


@pytest.mark.parametrize('convention', ['voc', 'act'])
def test_frame_ap_perfect_predictions_is_one(two_video_gt, convention):
    gttubes, videos = two_video_gt
    mean_ap, per_class = frame_ap(gttubes, videos, detections_from(gttubes, videos), 3, convention=convention)
    assert mean_ap == 1.0
    assert per_class[0] == per_class[1] == 1.0 and np.isnan(per_class[2])  # class 2 has no GT: not averaged


def test_frame_ap_shifted_boxes_known_iou(two_video_gt):
    gttubes, videos = {'a': {0: [tube(1, 4)]}}, ['a']
    # A 10x10 box shifted by s px has IoU (10 - s) / (10 + s): 7/13 = 0.54 for s=3, 6/14 = 0.43 for s=4.
    assert frame_ap(gttubes, videos, detections_from(gttubes, videos, shift=3), 1)[0] == 1.0
    assert frame_ap(gttubes, videos, detections_from(gttubes, videos, shift=4), 1)[0] == 0.0
    assert frame_ap(gttubes, videos, detections_from(gttubes, videos, shift=4), 1, iou_thr=0.4)[0] == 1.0


def test_frame_ap_missing_frames_and_duplicates():
    gttubes, videos = {'a': {0: [tube(1, 4)]}}, ['a']
    half = detections_from(gttubes, videos)[:2]  # frames 1 and 2 of 4
    assert frame_ap(gttubes, videos, half, 1, convention='voc')[0] == pytest.approx(0.5)
    assert frame_ap(gttubes, videos, half, 1, convention='act')[0] == pytest.approx(0.5)
    gttubes = {'a': {0: [tube(1, 2)]}}
    # Frame 1 detected twice (the lower-scored copy is a false positive), frame 2 once, lowest score.
    dets = np.array([[0, 1, 0, 0.9, *BOX], [0, 1, 0, 0.8, *BOX], [0, 2, 0, 0.7, *BOX]])
    assert frame_ap(gttubes, videos, dets, 1, convention='voc')[0] == pytest.approx(0.5 + 0.5 * 2 / 3)


def test_frame_ap_matches_the_best_remaining_ground_truth():
    # Two overlapping actors in one frame; the second detection's best box is taken, but it still
    # overlaps the other actor by 0.82 > 0.5 and counts (ACT rule).
    gttubes = {'a': {0: [tube(1, 1, BOX), tube(1, 1, [1, 0, 11, 10])]}}
    dets = np.array([[0, 1, 0, 0.9, *BOX], [0, 1, 0, 0.8, *BOX]])
    assert frame_ap(gttubes, ['a'], dets, 1)[0] == 1.0


def test_frame_ap_ignores_detections_of_classes_without_ground_truth(two_video_gt):
    gttubes, videos = two_video_gt
    dets = np.concatenate([detections_from(gttubes, videos), [[0, 1, 2, 0.99, *BOX]]])
    mean_ap, per_class = frame_ap(gttubes, videos, dets, 3)
    assert mean_ap == 1.0 and np.isnan(per_class[2])


def _multisports_rows(root):
    with open(osp.join(root, 'gt.pkl'), 'rb') as f:
        gt = pickle.load(f)
    with open(osp.join(root, 'data_samples.pkl'), 'rb') as f:
        samples = pickle.load(f)
    videos = gt['test_videos'][0]
    rows = []
    for sample in samples:
        video = sample['video_id'].split('.mp4')[0]
        height, width = gt['resolution'][video]
        for box, scores in zip(sample['pred_instances']['bboxes'].numpy(), sample['pred_instances']['scores'].numpy()):
            label = int(scores.argmax())
            rows.append([videos.index(video), sample['timestamp'], label, scores[label], *(box * np.array([width, height] * 2))])
    return gt, videos, np.array(rows)


def test_frame_ap_reproduces_published_multisports_numbers(shared_data):
    """mmaction2's eval_multisports: frameAP 83.6506 (VOC convention, MMAction2 / MultiSports) and
    83.2681 (ACT convention, as MOC-Detector's evaluator gives), with MultiSports' 6 excluded classes."""
    gt, videos, rows = _multisports_rows(osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'eval_multisports'))
    excluded = [i for i, name in enumerate(gt['labels']) if name in (
        'aerobic kick jump', 'aerobic off axis jump', 'aerobic butterfly jump', 'aerobic balance turn',
        'basketball save', 'basketball jump ball')]
    voc = frame_ap(gt['gttubes'], videos, rows, len(gt['labels']), convention='voc', ignore_classes=excluded)[0]
    act = frame_ap(gt['gttubes'], videos, rows, len(gt['labels']), convention='act', ignore_classes=excluded)[0]
    assert round(100 * voc, 4) == 83.6506
    assert round(100 * act, 4) == 83.2681


def test_a_tube_split_in_two_and_gap_bridging():
    gttubes, videos = {'a': {0: [tube(1, 20)]}}, ['a']
    dets = detections_from({'a': {0: [tube(1, 8), tube(15, 20)]}}, videos)
    split = build_video_tubes(dets, 1, 1, max_gap=4)
    assert sorted((int(t[0, 0]), int(t[-1, 0])) for _, _, t in split[0]) == [(1, 8), (15, 20)]
    assert len(build_video_tubes(dets, 1, 1, max_gap=4, min_length=7)[0]) == 1  # the 6-frame piece is dropped
    # ST-IoU 8/20 and 6/20: at 0.2 the first is a TP and the second a duplicate (FP); at 0.5 both miss.
    result = video_ap(gttubes, videos, split, 1, iou_thrs=(0.2, 0.5))
    assert result[0.2][0] == 1.0 and result[0.5][0] == 0.0
    bridged = build_video_tubes(dets, 1, 1, max_gap=6)  # the 6 missing frames borrow the nearest boxes
    assert video_ap(gttubes, videos, bridged, 1, iou_thrs=(0.5, ))[0.5][0] == 1.0


@pytest.mark.parametrize('linking', ['viterbi', 'greedy'])
def test_video_ap_perfect_predictions_is_one(two_video_gt, linking):
    gttubes, videos = two_video_gt
    options = dict(min_length=1)  # the tubes here last 4 frames
    tubes = build_video_tubes(detections_from(gttubes, videos), 2, 3, linking=linking, **options)
    result = video_ap(gttubes, videos, tubes, 3, iou_thrs=(0.2, 0.5, 0.75, 0.95))
    for mean_ap, per_class in result.values():
        assert mean_ap == 1.0 and np.isnan(per_class[2])


def test_3d_nms_keeps_one_of_two_heavily_overlapping_same_class_actors():
    """A dancing couple: two same-class tubes with ST-IoU 0.82 > 0.3. Exact predictions still lose one
    after the protocol's 3D-NMS (ACT / CSA), so video-AP is 0.5; without NMS both are found."""
    gttubes, videos = {'a': {0: [tube(1, 10, BOX), tube(1, 10, [1, 0, 11, 10])]}}, ['a']
    dets = detections_from(gttubes, videos)
    with_nms = build_video_tubes(dets, 1, 1, tube_nms_thr=0.3)
    without = build_video_tubes(dets, 1, 1, tube_nms_thr=1.0)
    assert video_ap(gttubes, videos, with_nms, 1)[0.5][0] == pytest.approx(0.5)
    assert video_ap(gttubes, videos, without, 1)[0.5][0] == 1.0
