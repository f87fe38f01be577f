"""Frame-AP and video-AP of spatio-temporal action detection (JHMDB51-21, UCF101-24).

Formats (the ACT-detector formats, also used by MMAction2's MultiSports code):

- **Ground truth** ``gttubes``: ``{video: {label: [tube, ...]}}``, each tube an ``(n, 5)`` array of
  ``frame, x1, y1, x2, y2`` with 1-based frame numbers, in pixels.
- **Frame detections**: an ``(N, 8)`` array of ``video_index, frame, label, score, x1, y1, x2, y2``,
  ``video_index`` indexing the list of evaluated videos.
- **Detected tubes**: ``{label: [(video_index, score, tube), ...]}`` (:mod:`.tube_linking`).

``convention`` (:mod:`.conventions`) fixes the box areas, the matching rule, the AP integration and the
temporal IoU: ``'voc'`` equals MultiSports / MMAction2 (and the TF-OD-API Pascal evaluator for frames),
``'act'`` equals ACT-detector, ``'csa'`` CSA's video-mAP. IoUs are computed in float64.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ...structures import paired_box_iou, spatiotemporal_iou
from .conventions import AP_METHODS, ConventionLike, resolve_convention

VIDEO_IOU_RANGE = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))


def average_precision(is_tp: np.ndarray, num_gt: int, method: str = 'voc') -> float:
    """AP of detections already sorted by decreasing score.

    Args:
        is_tp (np.ndarray): ``(N, )`` bool, whether each detection is a true positive.
        num_gt (int): ground-truth instances (> 0).
        method (str): ``'voc'`` (all-point interpolation) or ``'act'`` (trapezoid from (0, 1)).
    """
    if method not in AP_METHODS:
        raise ValueError(f'unknown AP method {method!r}; expected one of {AP_METHODS}')
    if num_gt <= 0:
        raise ValueError(f'average_precision needs at least one ground-truth instance, got num_gt={num_gt}')
    is_tp = np.asarray(is_tp, bool)
    if is_tp.size == 0:
        return 0.0
    tp = np.cumsum(is_tp)
    precision = tp / np.arange(1, len(is_tp) + 1)
    recall = tp / num_gt
    if method == 'act':
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



def _frame_ground_truth(gttubes: Dict[str, Dict[int, List[np.ndarray]]], videos: Sequence[str],
                        num_classes: int) -> Dict[int, Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per class: the sorted unique frame keys ``video_index * 2**32 + frame`` that have boxes, the boxes
    of each key padded to the most boxes a key has ``(K, G, 4)``, and the count per key ``(K, )``."""
    rows: Dict[int, list] = {label: [] for label in range(num_classes)}
    for index, video in enumerate(videos):
        for label, tubes in gttubes.get(video, {}).items():
            if label in rows:
                for tube in tubes:
                    tube = np.asarray(tube, np.float64)
                    rows[label].append(np.c_[np.full(len(tube), index), tube[:, :5]])
    out = {}
    for label, parts in rows.items():
        gt = np.concatenate(parts) if parts else np.zeros((0, 6))
        keys = gt[:, 0].astype(np.int64) * 2**32 + gt[:, 1].astype(np.int64)
        order = np.argsort(keys, kind='stable')  # boxes of a frame keep their tube order
        keys, boxes = keys[order], gt[order, 2:6]
        unique, starts, counts = np.unique(keys, return_index=True, return_counts=True)
        padded = np.full((len(unique), int(counts.max()) if len(counts) else 0, 4), np.nan)
        slot = np.arange(len(keys)) - np.repeat(starts, counts)
        padded[np.repeat(np.arange(len(unique)), counts), slot] = boxes
        out[label] = (unique, padded, counts)
    return out


def _match(ious: np.ndarray, valid: np.ndarray, groups: np.ndarray, iou_thr: float, rule: str) -> np.ndarray:
    """True positives of detections in decreasing score order.

    Args:
        ious (np.ndarray): ``(N, G)`` IoU of each detection with the ground truth of its group (frame or
            video); ``valid (N, G)`` marks real ground truth (the rest is padding).
        groups (np.ndarray): ``(N, )`` group of each detection (-1: its group has no ground truth).
        rule (str): ``'voc'`` (best among all, false positive when taken) or ``'act'`` (best unmatched).
    """
    ious = np.where(valid, ious, -np.inf)
    is_tp = np.zeros(len(ious), bool)
    has_gt = groups >= 0
    # One ground-truth box per group, or the VOC rule: the first detection (by score) whose best box is a
    # given box above the threshold takes it; the later ones are false positives.
    single = has_gt & (valid.sum(1) == 1) if rule == 'act' else has_gt
    if ious.shape[1]:
        best = ious.argmax(1)
        hits = np.flatnonzero(single & (ious[np.arange(len(ious)), best] >= iou_thr))
        _, first = np.unique(groups[hits] * ious.shape[1] + best[hits], return_index=True)
        is_tp[hits[first]] = True
    if rule == 'act':  # several boxes in a group: a taken box is out of the running, in score order
        taken: Dict[int, np.ndarray] = {}
        for i in np.flatnonzero(has_gt & ~single):
            free = taken.setdefault(int(groups[i]), valid[i].copy())
            if not free.any():
                continue
            candidates = np.where(free, ious[i], -np.inf)
            j = int(candidates.argmax())
            if candidates[j] >= iou_thr:
                is_tp[i] = True
                free[j] = False
    return is_tp


def frame_ap(gttubes: Dict[str, Dict[int, List[np.ndarray]]], videos: Sequence[str], detections: np.ndarray,
             num_classes: int, iou_thr: float = 0.5, convention: ConventionLike = 'voc',
             ignore_classes: Sequence[int] = ()) -> Tuple[float, Dict[int, float]]:
    """Frame-mAP: per class, detections in decreasing score order (ties keep the order of
    ``detections``) are matched to a ground-truth box of that class in the same frame by the convention's
    matching rule; IoU >= ``iou_thr`` with a box not yet taken is a true positive and takes it, anything
    else is a false positive.

    Classes without ground truth in ``videos``, and ``ignore_classes``, have AP ``nan`` and are left out
    of the mean.

    Returns:
        tuple: ``(mAP, {label: AP})``, both in ``[0, 1]``.
    """
    convention = resolve_convention(convention, frames=True)
    detections = np.asarray(detections, np.float64).reshape(-1, 8)
    ground_truth = _frame_ground_truth(gttubes, videos, num_classes)
    per_class = {}
    for label in range(num_classes):
        keys, boxes, counts = ground_truth[label]
        if counts.sum() == 0 or label in ignore_classes:
            per_class[label] = float('nan')
            continue
        dets = detections[detections[:, 2] == label]
        dets = dets[np.argsort(-dets[:, 3], kind='stable')]
        det_keys = dets[:, 0].astype(np.int64) * 2**32 + dets[:, 1].astype(np.int64)
        position = np.minimum(np.searchsorted(keys, det_keys), len(keys) - 1)
        groups = np.where(keys[position] == det_keys, position, -1)
        gt = boxes[np.maximum(groups, 0)]  # (N, G, 4); rows of detections without ground truth are ignored
        valid = ~np.isnan(gt[..., 0]) & (groups >= 0)[:, None]
        ious = paired_box_iou(dets[:, None, 4:8], np.nan_to_num(gt), convention.box)
        is_tp = _match(ious, valid, groups, iou_thr, convention.matching)
        per_class[label] = average_precision(is_tp, int(counts.sum()), convention.ap)
    return _mean_ap(per_class), per_class


def video_ap(gttubes: Dict[str, Dict[int, List[np.ndarray]]], videos: Sequence[str],
             video_tubes: Dict[int, List[Tuple[int, float, np.ndarray]]], num_classes: int,
             iou_thrs: Sequence[float] = (0.5, ), convention: ConventionLike = 'voc',
             ignore_classes: Sequence[int] = ()) -> Dict[float, Tuple[float, Dict[int, float]]]:
    """Video-mAP at each threshold: per class, tubes in decreasing score order (ties keep input order) are
    matched to a ground-truth tube of their video by the convention's matching rule on ST-IoU (its box and
    temporal IoU); ST-IoU >= threshold with a tube not yet taken is a true positive. Classes without
    ground truth (and ``ignore_classes``) are ``nan`` and not averaged.

    Returns:
        dict: ``{threshold: (mAP, {label: AP})}``.
    """
    convention = resolve_convention(convention)
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
        most = max(len(g) for g in gt.values())
        # ST-IoU with every GT tube of the same video, computed once for all thresholds.
        ious, valid = np.zeros((len(tubes), most)), np.zeros((len(tubes), most), bool)
        for i, (video, _, tube) in enumerate(tubes):
            for j, gt_tube in enumerate(gt.get(video, [])):
                ious[i, j] = spatiotemporal_iou(gt_tube, tube, convention.box, convention.temporal_iou)
                valid[i, j] = True
        groups = np.array([video if valid[i].any() else -1 for i, (video, _, _) in enumerate(tubes)], np.int64)
        for thr in iou_thrs:
            is_tp = _match(ious, valid, groups, thr, convention.matching)
            results[thr][label] = average_precision(is_tp, num_gt, convention.ap)
    return {thr: (_mean_ap(per_class), per_class) for thr, per_class in results.items()}
