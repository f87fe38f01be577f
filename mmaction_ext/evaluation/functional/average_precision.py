"""Frame-AP and video-AP of spatio-temporal action detection (JHMDB51-21, UCF101-24).

Formats (the ACT-detector formats, also used by MMAction2's MultiSports code):

- **Ground truth** ``gttubes``: ``{video: {label: [tube, ...]}}``, each tube an ``(n, 5)`` array of
  ``frame, x1, y1, x2, y2`` with 1-based frame numbers, in pixels.
- **Frame detections**: an ``(N, 8)`` array of ``video_index, frame, label, score, x1, y1, x2, y2``,
  ``video_index`` indexing the list of evaluated videos.
- **Detected tubes**: ``{label: [(video_index, score, tube), ...]}`` (:mod:`.tube_linking`).

Two conventions (see ``docs/detection_eval.md``) fix the box areas and the AP integration:

- ``'voc'``: areas ``(x2 - x1) * (y2 - y1)``, VOC all-point interpolated AP (MultiSports, MMAction2's
  ``multisports_utils``, the TF-OD-API Pascal evaluator used by YOWO / TubeR / CSA);
- ``'act'``: ``+1``-pixel areas, trapezoidal AP from ``(recall 0, precision 1)`` (ACT-detector, MOC).

Temporal IoU counts frames inclusively in both: ``(min end - max start + 1) / (max end - min start + 1)``.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ...structures import BOX_CONVENTIONS, box_pixel_offset, pairwise_box_iou, spatiotemporal_iou

CONVENTIONS = BOX_CONVENTIONS
VIDEO_IOU_RANGE = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))


def average_precision(is_tp: np.ndarray, num_gt: int, convention: str = 'voc') -> float:
    """AP of detections already sorted by decreasing score.

    Args:
        is_tp (np.ndarray): ``(N, )`` bool, whether each detection is a true positive.
        num_gt (int): ground-truth instances (> 0).
        convention (str): ``'voc'`` (all-point interpolation) or ``'act'`` (trapezoid from (0, 1)).
    """
    box_pixel_offset(convention)  # validates it
    if num_gt <= 0:
        raise ValueError(f'average_precision needs at least one ground-truth instance, got num_gt={num_gt}')
    is_tp = np.asarray(is_tp, bool)
    if is_tp.size == 0:
        return 0.0
    tp = np.cumsum(is_tp)
    precision = tp / np.arange(1, len(is_tp) + 1)
    recall = tp / num_gt
    if convention == 'act':
        recall = np.concatenate([[0.0], recall])
        precision = np.concatenate([[1.0], precision])
        return float(np.sum(np.diff(recall) * (precision[1:] + precision[:-1]) / 2))
    # VOC all-point: area under the precision envelope (the best precision at any higher recall).
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    steps = np.flatnonzero(recall[1:] != recall[:-1]) + 1
    return float(np.sum((recall[steps] - recall[steps - 1]) * precision[steps]))


def _mean_ap(per_class: Dict[int, float]) -> float:
    values = [ap for ap in per_class.values() if not np.isnan(ap)]
    return float(np.mean(values)) if values else float('nan')


def frame_ap(gttubes: Dict[str, Dict[int, List[np.ndarray]]], videos: Sequence[str], detections: np.ndarray,
             num_classes: int, iou_thr: float = 0.5, convention: str = 'voc',
             ignore_classes: Sequence[int] = ()) -> Tuple[float, Dict[int, float]]:
    """Frame-mAP: per class, detections in decreasing score order are each matched to the
    highest-IoU still unmatched ground-truth box of that class in the same frame; IoU >= ``iou_thr``
    makes a true positive (and uses up that box), anything else a false positive.

    Classes without ground truth in ``videos``, and ``ignore_classes``, have AP ``nan`` and are left
    out of the mean. Ties in score keep the order of ``detections``.

    Returns:
        tuple: ``(mAP, {label: AP})``, both in ``[0, 1]``.
    """
    detections = np.asarray(detections, np.float64).reshape(-1, 8)
    video_index = {video: index for index, video in enumerate(videos)}
    gt_by_class: Dict[int, Dict[Tuple[int, int], np.ndarray]] = {label: {} for label in range(num_classes)}
    for video, index in video_index.items():
        for label, tubes in gttubes.get(video, {}).items():
            if label not in gt_by_class:
                continue
            frames = gt_by_class[label]
            for tube in tubes:
                for row in np.asarray(tube, np.float64):
                    key = (index, int(row[0]))
                    frames[key] = np.vstack([frames[key], row[1:5]]) if key in frames else row[None, 1:5]
    per_class = {}
    for label in range(num_classes):
        gt = gt_by_class[label]
        num_gt = sum(len(boxes) for boxes in gt.values())
        if num_gt == 0 or label in ignore_classes:
            per_class[label] = float('nan')
            continue
        dets = detections[detections[:, 2] == label]
        dets = dets[np.argsort(-dets[:, 3], kind='stable')]
        unmatched = {key: np.ones(len(boxes), bool) for key, boxes in gt.items()}
        is_tp = np.zeros(len(dets), bool)
        for i, det in enumerate(dets):
            key = (int(det[0]), int(det[1]))
            if key not in gt:
                continue
            free = np.flatnonzero(unmatched[key])
            if free.size == 0:
                continue
            ious = pairwise_box_iou(det[None, 4:8], gt[key][free], convention)[0]
            best = int(np.argmax(ious))
            if ious[best] >= iou_thr:
                is_tp[i] = True
                unmatched[key][free[best]] = False
        per_class[label] = average_precision(is_tp, num_gt, convention)
    return _mean_ap(per_class), per_class


def video_ap(gttubes: Dict[str, Dict[int, List[np.ndarray]]], videos: Sequence[str],
             video_tubes: Dict[int, List[Tuple[int, float, np.ndarray]]], num_classes: int,
             iou_thrs: Sequence[float] = (0.5, ), convention: str = 'voc',
             ignore_classes: Sequence[int] = ()) -> Dict[float, Tuple[float, Dict[int, float]]]:
    """Video-mAP at each threshold: per class, tubes in decreasing score order are matched to the
    unmatched ground-truth tube of their video with the highest ST-IoU; ST-IoU >= threshold makes a
    true positive. Classes without ground truth (and ``ignore_classes``) are ``nan`` and not averaged.

    Returns:
        dict: ``{threshold: (mAP, {label: AP})}``.
    """
    results = {thr: {} for thr in iou_thrs}
    for label in range(num_classes):
        gt = {index: [np.asarray(t, np.float64) for t in gttubes.get(video, {}).get(label, [])]
              for index, video in enumerate(videos)}
        num_gt = sum(len(tubes) for tubes in gt.values())
        if num_gt == 0 or label in ignore_classes:
            for thr in iou_thrs:
                results[thr][label] = float('nan')
            continue
        tubes = sorted(video_tubes.get(label, []), key=lambda item: -item[1])
        # ST-IoU with every GT tube of the same video, computed once for all thresholds.
        overlaps = [np.array([spatiotemporal_iou(gt_tube, tube, convention) for gt_tube in gt.get(video, [])])
                    for video, _, tube in tubes]
        for thr in iou_thrs:
            unmatched = {index: np.ones(len(g), bool) for index, g in gt.items()}
            is_tp = np.zeros(len(tubes), bool)
            for i, ((video, _, _), ious) in enumerate(zip(tubes, overlaps)):
                if ious.size == 0:
                    continue
                free = np.flatnonzero(unmatched[video])
                if free.size == 0:
                    continue
                best = free[np.argmax(ious[free])]
                if ious[best] >= thr:
                    is_tp[i] = True
                    unmatched[video][best] = False
            results[thr][label] = average_precision(is_tp, num_gt, convention)
    return {thr: (_mean_ap(per_class), per_class) for thr, per_class in results.items()}
