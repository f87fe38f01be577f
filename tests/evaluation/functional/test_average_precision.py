"""Frame-AP and video-AP (after linking and 3D NMS): hand-computed cases and published numbers on real
ground truth."""
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


@pytest.mark.parametrize('convention, expected', [('act', 1.0), ('voc', 0.5), (dict(base='voc', matching='act'), 1.0)])
def test_frame_ap_matching_rules(convention, expected):
    """Two overlapping actors in one frame and two detections on the first one. The second detection's
    best box is taken; it overlaps the other actor by 0.82 > 0.5. ACT matches it to the best *remaining*
    box (a true positive: AP 1); VOC / MultiSports / TF-OD-API take the best of *all* boxes, already
    taken, so it is a false positive (precision 1, 1/2 at recall 1/2, 1/2: AP 0.5)."""
    gttubes = {'a': {0: [tube(1, 1, BOX), tube(1, 1, [1, 0, 11, 10])]}}
    dets = np.array([[0, 1, 0, 0.9, *BOX], [0, 1, 0, 0.8, *BOX]])
    assert frame_ap(gttubes, ['a'], dets, 1, convention=convention)[0] == expected


def test_video_ap_matching_rules():
    """The video-level version: two same-class actors in one video, two tubes on the first (ST-IoU 1 and
    0.82 with it, 0.82 and 1 ... with the other). The second tube counts under ACT's rule only."""
    gttubes = {'a': {0: [tube(1, 10, BOX), tube(1, 10, [1, 0, 11, 10])]}}
    tubes = {0: [(0, 0.9, tube(1, 10, BOX)), (0, 0.8, tube(1, 10, [0.2, 0, 10.2, 10]))]}
    assert video_ap(gttubes, ['a'], tubes, 1, convention='act')[0.5][0] == 1.0
    assert video_ap(gttubes, ['a'], tubes, 1, convention='voc')[0.5][0] == 0.5


def test_frame_ap_ignores_detections_of_classes_without_ground_truth(two_video_gt):
    gttubes, videos = two_video_gt
    dets = np.concatenate([detections_from(gttubes, videos), [[0, 1, 2, 0.99, *BOX]]])
    mean_ap, per_class = frame_ap(gttubes, videos, dets, 3)
    assert mean_ap == 1.0 and np.isnan(per_class[2])


def test_a_tube_split_in_two_and_gap_bridging():
    gttubes, videos = {'a': {0: [tube(1, 20)]}}, ['a']
    dets = detections_from({'a': {0: [tube(1, 8), tube(15, 20)]}}, videos)
    ours = dict(convention='act', linking='viterbi')
    split = build_video_tubes(dets, 1, 1, max_gap=4, **ours)
    assert sorted((int(t[0, 0]), int(t[-1, 0])) for _, _, t in split[0]) == [(1, 8), (15, 20)]
    assert len(build_video_tubes(dets, 1, 1, max_gap=4, min_length=7, **ours)[0]) == 1  # the 6-frame piece goes
    # ST-IoU 8/20 and 6/20: at 0.2 the first is a TP and the second a duplicate (FP); at 0.5 both miss.
    result = video_ap(gttubes, videos, split, 1, iou_thrs=(0.2, 0.5), convention='act')
    assert result[0.2][0] == 1.0 and result[0.5][0] == 0.0
    bridged = build_video_tubes(dets, 1, 1, max_gap=6, **ours)  # the 6 missing frames borrow the nearest boxes
    assert video_ap(gttubes, videos, bridged, 1, iou_thrs=(0.5, ), convention='act')[0.5][0] == 1.0


@pytest.mark.parametrize('convention, linking', [('voc', 'greedy'), ('act', 'greedy'), ('act', 'viterbi')])
def test_video_ap_perfect_predictions_is_one(two_video_gt, convention, linking):
    gttubes, videos = two_video_gt
    # The tubes here last 4 frames: the length filters are lowered.
    tubes = build_video_tubes(detections_from(gttubes, videos), 2, 3, convention, linking, min_length=1)
    result = video_ap(gttubes, videos, tubes, 3, iou_thrs=(0.2, 0.5, 0.75, 0.95), convention=convention)
    for mean_ap, per_class in result.values():
        assert mean_ap == 1.0 and np.isnan(per_class[2])


def test_3d_nms_keeps_one_of_two_heavily_overlapping_same_class_actors():
    """A dancing couple: two same-class tubes with ST-IoU 0.82 > 0.3. Exact predictions still lose one
    after ACT's 3D-NMS, so video-AP is 0.5; MultiSports has no 3D NMS and finds both."""
    gttubes, videos = {'a': {0: [tube(1, 20, BOX), tube(1, 20, [1, 0, 11, 10])]}}, ['a']
    dets = detections_from(gttubes, videos)
    dets[20:, 3] = 0.5  # the second actor's boxes score lower: soft suppression keeps them (0.5 * (1 - 0.82))
    act = build_video_tubes(dets, 1, 1, 'act')
    assert video_ap(gttubes, videos, act, 1, convention='act')[0.5][0] == pytest.approx(0.5)
    voc = build_video_tubes(dets, 1, 1, 'voc')
    assert video_ap(gttubes, videos, voc, 1, convention='voc')[0.5][0] == 1.0
    without_nms = build_video_tubes(dets, 1, 1, dict(base='act', tube_nms_thr=None))
    assert video_ap(gttubes, videos, without_nms, 1, convention='act')[0.5][0] == 1.0
