"""Overlap and suppression of whole tubes: spatio-temporal IoU and 3D NMS.

A tube here is an ``(n, 5+)`` array of rows ``frame, x1, y1, x2, y2, ...`` (the ACT ground-truth rows;
linked detections carry a sixth column, the frame score), frames in increasing order.
"""
from typing import List, Sequence, Tuple

import numpy as np

from .box_iou import paired_box_iou


def spatiotemporal_iou(tube1: np.ndarray, tube2: np.ndarray, convention: str = 'voc') -> float:
    """ST-IoU of two tubes: temporal IoU (frames counted inclusively) times the mean per-frame IoU over
    the frames both time spans share; a shared frame where one of the tubes has no box (a gap) counts as
    IoU 0."""
    frames1, frames2 = tube1[:, 0].astype(np.int64), tube2[:, 0].astype(np.int64)
    start, end = max(frames1.min(), frames2.min()), min(frames1.max(), frames2.max())
    if end < start:
        return 0.0
    temporal = (end - start + 1) / (max(frames1.max(), frames2.max()) - min(frames1.min(), frames2.min()) + 1)
    common, index1, index2 = np.intersect1d(frames1, frames2, assume_unique=True, return_indices=True)
    if common.size == 0:
        return 0.0
    ious = paired_box_iou(tube1[index1, 1:5], tube2[index2, 1:5], convention)
    return float(temporal * ious.sum() / (end - start + 1))


def tube_nms(tubes: Sequence[Tuple[float, np.ndarray]], iou_thr: float = 0.3,
             convention: str = 'voc') -> List[int]:
    """3D NMS: indices of the tubes kept, in decreasing score order; a tube is dropped when its ST-IoU with
    a kept one is above ``iou_thr``. ``tubes`` are ``(score, tube)`` pairs."""
    order = sorted(range(len(tubes)), key=lambda i: -tubes[i][0])
    keep: List[int] = []
    for i in order:
        if all(spatiotemporal_iou(tubes[i][1], tubes[j][1], convention) <= iou_thr for j in keep):
            keep.append(i)
    return keep
