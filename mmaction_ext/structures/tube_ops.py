"""Overlap and suppression of whole tubes: spatio-temporal IoU and 3D NMS.

A tube here is an ``(n, 5+)`` array of rows ``frame, x1, y1, x2, y2, ...`` (the ACT ground-truth rows;
linked detections carry a sixth column, the frame score), frames in increasing order.

The benchmarks' evaluators measure the temporal overlap of two tubes in different ways
(``temporal=``, named after the evaluator that defines it):

- ``'act'``: frames counted inclusively, ``(min end - max start + 1) / (max end - min start + 1)``
  (ACT-detector, MOC);
- ``'voc'``: durations as ``last - first``, ``(min end - max start) / (max end - min start)`` (MultiSports,
  MMAction2's ``multisports_utils``): 4/14 where ``'act'`` gives 5/15 for frames 1-10 and 6-15;
- ``'yowo'``: as ``'act'``, but tubes sharing a single frame do not overlap (YOWO / CSA ``iou3dt``);
- ``None``: no temporal factor, the mean spatial IoU over the shared frames only (CSA on JHMDB).
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .box_iou import paired_box_iou

TEMPORAL_IOU_CONVENTIONS = ('act', 'voc', 'yowo', None)


def check_temporal_convention(temporal: Optional[str]) -> None:
    """Raise ``ValueError`` unless ``temporal`` is one of :data:`TEMPORAL_IOU_CONVENTIONS`."""
    if temporal not in TEMPORAL_IOU_CONVENTIONS:
        raise ValueError(f'unknown temporal IoU convention {temporal!r}; expected one of {TEMPORAL_IOU_CONVENTIONS}')


def spatiotemporal_iou(tube1: np.ndarray, tube2: np.ndarray, convention: str = 'voc',
                       temporal: Optional[str] = 'act') -> float:
    """ST-IoU of two tubes: the temporal IoU (see the module docstring for ``temporal``) times the mean
    per-frame IoU (box ``convention``) over the frames both time spans share; a shared frame where one
    of the tubes has no box (a gap) counts as IoU 0."""
    check_temporal_convention(temporal)
    frames1, frames2 = tube1[:, 0].astype(np.int64), tube2[:, 0].astype(np.int64)
    start, end = max(frames1[0], frames2[0]), min(frames1[-1], frames2[-1])
    if end < start or (temporal == 'yowo' and end == start):
        return 0.0
    common, index1, index2 = np.intersect1d(frames1, frames2, assume_unique=True, return_indices=True)
    if common.size == 0:
        return 0.0
    ious = paired_box_iou(tube1[index1, 1:5], tube2[index2, 1:5], convention)
    spatial = ious.sum() / (end - start + 1)
    if temporal is None:
        return float(spatial)
    offset = 0 if temporal == 'voc' else 1
    inter = end - start + offset
    if inter == 0:
        return 0.0
    union = max(frames1[-1], frames2[-1]) - min(frames1[0], frames2[0]) + offset
    return float(spatial * (inter / union))


def tube_nms(tubes: Sequence[Tuple[float, np.ndarray]], iou_thr: float = 0.3, convention: str = 'voc',
             temporal: Optional[str] = 'act') -> List[int]:
    """3D NMS: indices of the tubes kept, in decreasing score order (ties keep input order); a tube is
    dropped when its ST-IoU (``convention``, ``temporal``) with a kept one is above ``iou_thr``.
    ``tubes`` are ``(score, tube)`` pairs."""
    order = sorted(range(len(tubes)), key=lambda i: -tubes[i][0])
    keep: List[int] = []
    for i in order:
        if all(spatiotemporal_iou(tubes[i][1], tubes[j][1], convention, temporal) <= iou_thr for j in keep):
            keep.append(i)
    return keep
