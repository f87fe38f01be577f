"""Spatio-temporal IoU and 3D NMS of tubes, hand-computed."""
import numpy as np
import pytest

from helpers.tubes import tube
from mmaction_ext.structures import spatiotemporal_iou, tube_nms


def test_spatiotemporal_iou_hand_computed():
    assert spatiotemporal_iou(tube(1, 10), tube(6, 15)) == pytest.approx(5 / 15)  # frames counted inclusively
    assert spatiotemporal_iou(tube(1, 10), tube(6, 15, [3, 0, 13, 10])) == pytest.approx(5 / 15 * 7 / 13)
    assert spatiotemporal_iou(tube(1, 5), tube(6, 10)) == 0.0
    gapped = np.delete(tube(1, 10), [4, 5], 0)  # frames 5 and 6 missing: IoU 0 there
    assert spatiotemporal_iou(gapped, tube(1, 10)) == pytest.approx(8 / 10)


@pytest.mark.parametrize('temporal, expected', [
    ('act', 5 / 15), ('voc', 4 / 14), ('yowo', 5 / 15), (None, 1.0)])
def test_temporal_iou_conventions(temporal, expected):
    """Frames 1-10 and 6-15: ACT counts frames (5 / 15), MultiSports durations (4 / 14); CSA on JHMDB
    takes the spatial IoU alone."""
    assert spatiotemporal_iou(tube(1, 10), tube(6, 15), temporal=temporal) == pytest.approx(expected)


def test_single_shared_frame_overlaps_only_for_act():
    assert spatiotemporal_iou(tube(1, 5), tube(5, 9), temporal='act') == pytest.approx(1 / 9)
    assert spatiotemporal_iou(tube(1, 5), tube(5, 9), temporal='voc') == 0.0  # (5 - 5) / (9 - 1)
    assert spatiotemporal_iou(tube(1, 5), tube(5, 9), temporal='yowo') == 0.0  # YOWO's iou3dt: tmax <= tmin
    with pytest.raises(ValueError, match="unknown temporal IoU convention 'frames'"):
        spatiotemporal_iou(tube(1, 5), tube(5, 9), temporal='frames')


def test_tube_nms_removes_overlapping_duplicates():
    tubes = [(0.5, tube(1, 10)), (0.9, tube(1, 10, [1, 0, 11, 10])), (0.4, tube(1, 10, [50, 50, 60, 60]))]
    assert tube_nms(tubes, 0.3) == [1, 2]
