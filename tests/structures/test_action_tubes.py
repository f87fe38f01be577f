"""The clip tube format: cutting clips from tracks, predictions to frame detections, rescaling, validation."""
import numpy as np
import pytest
import torch

from mmaction_ext.structures import (check_gt_tubes, check_pred_tubes, clip_tubes_from_tracks, drop_empty_tube_boxes,
                                     frame_detections_from_tubes, rescale_tube_boxes, tube_boxes_to_annotation)


def _track(frames, box):
    return np.array([[f, *box] for f in frames], np.float64)


def test_clip_tubes_from_tracks_by_hand():
    tracks = [(2, _track([3, 4, 5, 6], [1, 2, 3, 4])), (0, _track([10, 11, 12], [5, 5, 9, 9])),
              (1, _track([1, 2, 7, 8], [0, 0, 2, 2]))]  # a track with a gap over frames 3-6
    frame_ids = np.arange(1, 9)
    valid = np.r_[np.ones(7, bool), False]  # frame 8 pads the clip
    boxes, labels = clip_tubes_from_tracks(tracks, frame_ids, valid)
    assert boxes.shape == (2, 8, 4) and boxes.dtype == np.float32 and labels.dtype == np.int64
    np.testing.assert_array_equal(labels, [[-1, -1, 2, 2, 2, 2, -1, -1], [1, 1, -1, -1, -1, -1, 1, -1]])
    np.testing.assert_array_equal(boxes[0, 2], [1, 2, 3, 4])
    assert (boxes[labels < 0] == 0).all()  # background frames carry a zero box, padding included
    empty_boxes, empty_labels = clip_tubes_from_tracks(tracks, np.array([20, 21]), np.ones(2, bool))
    assert empty_boxes.shape == (0, 2, 4) and empty_labels.shape == (0, 2)


def test_frame_detections_keep_the_best_per_frame():
    scores = np.zeros((2, 3, 3))
    scores[0, 0] = [0.9, 0.2, 0.0]
    scores[1, 0] = [0.3, 0.2, 0.8]
    scores[:, 1] = 1.0  # an invalid (padded) frame: never a detection
    scores[0, 2] = [0.5, 0.5, 0.0]  # a tie keeps (tube, class) order
    boxes = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4)
    rows = frame_detections_from_tubes(torch.from_numpy(boxes), torch.from_numpy(scores), np.array([7, 8, 9]),
                                       np.array([True, False, True]), max_per_frame=2, score_thr=0.25)
    expected = [[7, 0, 0.9, *boxes[0, 0]], [7, 2, 0.8, *boxes[1, 0]], [9, 0, 0.5, *boxes[0, 2]],
                [9, 1, 0.5, *boxes[0, 2]]]
    np.testing.assert_allclose(rows, expected)
    assert frame_detections_from_tubes(boxes, scores * 0, [7, 8, 9], [True] * 3).shape == (0, 7)


def test_frame_detections_argmax_class_and_actor_gate():
    """CSA's UCF video-mAP input: each tube's best class only, and only where its actor confidence
    reaches the gate (0.7)."""
    scores = np.zeros((3, 1, 3))
    scores[:, 0] = [[0.9, 0.2, 0.0], [0.3, 0.2, 0.8], [0.1, 0.6, 0.5]]
    boxes = np.arange(3 * 4, dtype=np.float64).reshape(3, 1, 4)
    actor = np.array([[0.95], [0.7], [0.69]])
    rows = frame_detections_from_tubes(boxes, scores, [4], [True], max_per_frame=None, argmax_only=True)
    np.testing.assert_allclose(rows[:, 1:3], [[0, 0.9], [2, 0.8], [1, 0.6]])
    rows = frame_detections_from_tubes(boxes, scores, [4], [True], None, argmax_only=True, actor_scores=actor,
                                       actor_score_thr=0.7)
    np.testing.assert_allclose(rows[:, 1:3], [[0, 0.9], [2, 0.8]])
    assert len(frame_detections_from_tubes(boxes, scores, [4], [True], max_per_frame=None)) == 8  # every score > 0
    with pytest.raises(ValueError, match=r'actor_scores of shape \(3,\), expected \(3, 1\)'):
        frame_detections_from_tubes(boxes, scores, [4], [True], actor_scores=actor[:, 0])


def test_prediction_checks_name_the_tube_and_frame():
    boxes, scores = np.tile([0.0, 0, 10, 10], (2, 3, 1)), np.zeros((2, 3, 4))
    frame_ids, valid = np.array([5, 6, 7]), np.array([True, True, False])
    check_pred_tubes(boxes, scores, frame_ids, valid, 4)
    bad = scores.copy()
    bad[1, 2, 0] = np.nan  # on the padded frame: ignored
    check_pred_tubes(boxes, bad, frame_ids, valid, 4)
    bad[1, 1, 3] = np.inf
    with pytest.raises(ValueError, match='clip x: non-finite scores for tube 1 at frame 6'):
        check_pred_tubes(boxes, bad, frame_ids, valid, 4, 'clip x')
    inverted = boxes.copy()
    inverted[0, 0] = [10, 0, 0, 10]
    with pytest.raises(ValueError, match=r'box \[10.0, 0.0, 0.0, 10.0\] of tube 0 at frame 5 has x2 < x1'):
        check_pred_tubes(inverted, scores, frame_ids, valid, 4)
    with pytest.raises(ValueError, match=r'scores of shape \(2, 3, 4\), expected \(2, 3, 5\)'):
        check_pred_tubes(boxes, scores, frame_ids, valid, 5)
    with pytest.raises(ValueError, match=r'bboxes of shape \(2, 3\), expected \(Q, 3, 4\)'):
        check_pred_tubes(boxes[..., 0], scores, frame_ids, valid, 4)
    with pytest.raises(ValueError, match=r'v1: tube bboxes \(2, 3, 4\) and labels \(2, 4\) do not match'):
        check_gt_tubes(boxes, np.zeros((2, 4)), 'v1')


def test_rescaling_to_the_annotation_undoes_a_resize():
    boxes = np.array([[[10.0, 20.0, 30.0, 40.0]]], np.float32)
    resized = rescale_tube_boxes(boxes, (240, 320), (120, 80))  # (h, w) -> (h, w)
    np.testing.assert_allclose(resized, [[[2.5, 10, 7.5, 20]]])
    assert resized.dtype == np.float32
    back = tube_boxes_to_annotation(torch.from_numpy(resized), dict(img_shape=(120, 80), gt_resolution=(240, 320)))
    assert isinstance(back, torch.Tensor)
    np.testing.assert_allclose(back.numpy(), boxes)
    same = tube_boxes_to_annotation(boxes, dict(img_shape=(240, 320)))
    np.testing.assert_array_equal(same, boxes)
    with pytest.raises(ValueError, match="clip 'v': its test pipeline applied 'flip'"):
        tube_boxes_to_annotation(boxes, dict(img_shape=(240, 320), flip=True, video_id='v'))
    with pytest.raises(ValueError, match="applied 'crop_bbox'"):  # as MMAction2's crops store it: an array
        tube_boxes_to_annotation(boxes, dict(img_shape=(240, 320), crop_bbox=np.array([0, 0, 320, 240])))
    unflipped = tube_boxes_to_annotation(boxes, dict(img_shape=(240, 320), flip=False))
    np.testing.assert_array_equal(unflipped, boxes)


def test_boxes_without_area_become_background():
    boxes = np.array([[[0, 0, 5, 5], [3, 3, 3, 9], [1, 1, 2, 2]]], np.float32)
    labels = np.array([[4, 4, -1]])
    boxes, labels = drop_empty_tube_boxes(boxes, labels)
    np.testing.assert_array_equal(labels, [[4, -1, -1]])
    np.testing.assert_array_equal(boxes[0, 1:], 0)
