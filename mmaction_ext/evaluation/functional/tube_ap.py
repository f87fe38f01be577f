"""Frame-mAP and video-mAP of spatio-temporal action detection (JHMDB51-21, UCF101-24).

Formats shared by every function here (the ACT-detector formats, also used by MMAction2's MultiSports code):

- **Ground truth** ``gttubes``: ``{video: {label: [tube, ...]}}``, each tube an ``(n, 5)`` array of
  ``frame, x1, y1, x2, y2`` with 1-based frame numbers, in pixels.
- **Frame detections**: an ``(N, 8)`` array of ``video_index, frame, label, score, x1, y1, x2, y2``,
  ``video_index`` indexing the list of evaluated videos.
- **Detected tubes**: ``{label: [(video_index, score, tube), ...]}``, each tube an ``(n, 6)`` array of
  ``frame, x1, y1, x2, y2, frame_score`` over consecutive frames.

Two conventions (see ``docs/detection_eval.md``) fix the box areas and the AP integration:

- ``'voc'``: areas ``(x2 - x1) * (y2 - y1)``, VOC all-point interpolated AP (MultiSports, MMAction2's
  ``multisports_utils``, the TF-OD-API Pascal evaluator used by YOWO / TubeR / CSA);
- ``'act'``: ``+1``-pixel areas, trapezoidal AP from ``(recall 0, precision 1)`` (ACT-detector, MOC).

Temporal IoU counts frames inclusively in both: ``(min end - max start + 1) / (max end - min start + 1)``.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

CONVENTIONS = ('voc', 'act')
VIDEO_IOU_RANGE = tuple(np.round(np.arange(0.5, 0.951, 0.05), 2))


def _pixel_offset(convention: str) -> float:
    if convention not in CONVENTIONS:
        raise ValueError(f'unknown AP convention {convention!r}; expected one of {CONVENTIONS}')
    return 1.0 if convention == 'act' else 0.0


def paired_iou(boxes1: np.ndarray, boxes2: np.ndarray, convention: str = 'voc') -> np.ndarray:
    """Elementwise IoU of broadcastable ``(..., 4)`` boxes (``x1, y1, x2, y2``)."""
    offset = _pixel_offset(convention)
    b1, b2 = np.asarray(boxes1, np.float64), np.asarray(boxes2, np.float64)
    width = np.clip(np.minimum(b1[..., 2], b2[..., 2]) - np.maximum(b1[..., 0], b2[..., 0]) + offset, 0, None)
    height = np.clip(np.minimum(b1[..., 3], b2[..., 3]) - np.maximum(b1[..., 1], b2[..., 1]) + offset, 0, None)
    inter = width * height
    area1 = (b1[..., 2] - b1[..., 0] + offset) * (b1[..., 3] - b1[..., 1] + offset)
    area2 = (b2[..., 2] - b2[..., 0] + offset) * (b2[..., 3] - b2[..., 1] + offset)
    union = area1 + area2 - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def pairwise_iou(boxes1: np.ndarray, boxes2: np.ndarray, convention: str = 'voc') -> np.ndarray:
    """IoU of every box of ``boxes1 (N, 4)`` with every box of ``boxes2 (M, 4)``: ``(N, M)``."""
    return paired_iou(np.asarray(boxes1)[:, None], np.asarray(boxes2)[None], convention)


def average_precision(is_tp: np.ndarray, num_gt: int, convention: str = 'voc') -> float:
    """AP of detections already sorted by decreasing score.

    Args:
        is_tp (np.ndarray): ``(N, )`` bool, whether each detection is a true positive.
        num_gt (int): ground-truth instances (> 0).
        convention (str): ``'voc'`` (all-point interpolation) or ``'act'`` (trapezoid from (0, 1)).
    """
    _pixel_offset(convention)
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
            ious = pairwise_iou(det[None, 4:8], gt[key][free], convention)[0]
            best = int(np.argmax(ious))
            if ious[best] >= iou_thr:
                is_tp[i] = True
                unmatched[key][free[best]] = False
        per_class[label] = average_precision(is_tp, num_gt, convention)
    return _mean_ap(per_class), per_class


def spatiotemporal_iou(tube1: np.ndarray, tube2: np.ndarray, convention: str = 'voc') -> float:
    """ST-IoU of two tubes (rows ``frame, x1, y1, x2, y2, ...``): temporal IoU (frames counted
    inclusively) times the mean per-frame IoU over the frames both time spans share; a shared
    frame where one of the tubes has no box (a gap) counts as IoU 0."""
    frames1, frames2 = tube1[:, 0].astype(np.int64), tube2[:, 0].astype(np.int64)
    start, end = max(frames1.min(), frames2.min()), min(frames1.max(), frames2.max())
    if end < start:
        return 0.0
    temporal = (end - start + 1) / (max(frames1.max(), frames2.max()) - min(frames1.min(), frames2.min()) + 1)
    common, index1, index2 = np.intersect1d(frames1, frames2, assume_unique=True, return_indices=True)
    if common.size == 0:
        return 0.0
    ious = paired_iou(tube1[index1, 1:5], tube2[index2, 1:5], convention)
    return float(temporal * ious.sum() / (end - start + 1))


def tube_nms(tubes: Sequence[Tuple[float, np.ndarray]], iou_thr: float = 0.3,
             convention: str = 'voc') -> List[int]:
    """3D NMS: indices of the tubes kept, in decreasing score order; a tube is dropped when its
    ST-IoU with a kept one is above ``iou_thr``. ``tubes`` are ``(score, tube)`` pairs."""
    order = sorted(range(len(tubes)), key=lambda i: -tubes[i][0])
    keep: List[int] = []
    for i in order:
        if all(spatiotemporal_iou(tubes[i][1], tubes[j][1], convention) <= iou_thr for j in keep):
            keep.append(i)
    return keep


def _best_chain(boxes: List[np.ndarray], scores: List[np.ndarray], convention: str,
                weights: Tuple[float, float, float], min_iou: float) -> Tuple[int, List[int]]:
    """The best chain of boxes over consecutive frames (one box per frame), by dynamic programming.

    An edge joins boxes of consecutive frames whose IoU is above ``min_iou`` (an actor does not
    jump) and scores ``w_iou * IoU + w_sum * (s_t + s_t+1) + w_prod * s_t * s_t+1``. A chain may
    start and end at any frame; the one with the largest sum of edge scores wins (the
    highest-scoring single box when no edge exists).

    Returns:
        tuple: ``(position of the chain's first frame, [box index in each frame of the chain])``.
    """
    w_iou, w_sum, w_prod = weights
    totals = [np.zeros(len(scores[0]))]
    back = [np.full(len(scores[0]), -1)]
    for t in range(1, len(boxes)):
        count = len(boxes[t])
        total, pointer = np.zeros(count), np.full(count, -1)
        if len(boxes[t - 1]) and count:
            s_prev, s_next = scores[t - 1][:, None], scores[t][None]
            iou = pairwise_iou(boxes[t - 1], boxes[t], convention)
            edge = np.where(iou > min_iou, w_iou * iou + w_sum * (s_prev + s_next) + w_prod * s_prev * s_next,
                            -np.inf)
            candidates = totals[-1][:, None] + edge
            previous = np.argmax(candidates, 0)
            value = candidates[previous, np.arange(count)]
            linked = np.isfinite(value)  # continuing a chain beats starting one: edge scores are positive
            total[linked], pointer[linked] = value[linked], previous[linked]
        totals.append(total)
        back.append(pointer)
    flat_totals = np.concatenate(totals)
    flat_scores = np.concatenate(scores)
    end = int(np.lexsort((-np.arange(len(flat_totals)), flat_scores, flat_totals))[-1])
    sizes = np.cumsum([len(s) for s in scores])
    t = int(np.searchsorted(sizes, end, side='right'))
    k = end - (sizes[t - 1] if t else 0)
    chain = [int(k)]
    while back[t][chain[-1]] >= 0:
        chain.append(int(back[t][chain[-1]]))
        t -= 1
    return t, chain[::-1]


def _runs(frames: np.ndarray, max_gap: int) -> List[np.ndarray]:
    """Split sorted frame numbers where more than ``max_gap`` frames are missing in a row."""
    if len(frames) == 0:
        return []
    return np.split(frames, np.flatnonzero(np.diff(frames) > max_gap + 1) + 1)


def link_tubes_viterbi(frames: np.ndarray, boxes: np.ndarray, scores: np.ndarray, max_tubes: int = 3,
                       top_k: int = 10, max_gap: int = 4, min_iou: float = 0.0, min_length: int = 5,
                       edge_weights: Tuple[float, float, float] = (1.0, 1.0, 0.5),
                       convention: str = 'voc') -> List[Tuple[float, np.ndarray]]:
    """Link one video's detections of one class into tubes by dynamic programming, with the
    YOWO / CSA edge score, for actions that may start and end anywhere in the video.

    The frames with detections are split into runs wherever more than ``max_gap`` frames in a row
    have none. In a run, a frame without detections borrows the boxes of the nearest frame that has
    some (the earlier one on a tie); :func:`_best_chain` gives the best chain, which becomes a tube,
    and its boxes are removed. The frames that still have boxes form new runs, linked in turn, up to
    ``max_tubes`` tubes per run.

    Args:
        frames (np.ndarray): ``(N, )`` frame numbers of the detections.
        boxes (np.ndarray): ``(N, 4)``.
        scores (np.ndarray): ``(N, )`` in ``[0, 1]``.
        max_tubes (int): Tubes per run. Defaults to 3 (CSA / YOWO keep 3 per video).
        top_k (int): Highest-scoring boxes kept per frame. Defaults to 10.
        max_gap (int): Longest run of frames without detections bridged inside a tube. Defaults to 4.
        min_iou (float): Boxes of consecutive frames are linked only above this IoU. Defaults to 0.
        min_length (int): Shorter tubes are dropped (sporadic detections are not actions). Defaults to 5.
        edge_weights (tuple): ``(w_iou, w_sum, w_prod)``. Defaults to CSA's ``(1, 1, 0.5)``.

    Returns:
        list: ``(score, tube)`` pairs; ``tube`` is ``(n, 6)`` (frame, box, frame score) and the
        score is its mean frame score.
    """
    if len(frames) == 0:
        return []
    frames, scores = np.asarray(frames, np.int64), np.asarray(scores, np.float64)
    order = np.lexsort((-scores, frames))  # by frame, then by decreasing score
    unique, starts = np.unique(frames[order], return_index=True)
    candidates = {}
    for frame, index in zip(unique, np.split(order, starts[1:])):
        index = index[:top_k]
        candidates[int(frame)] = (boxes[index].astype(np.float64), scores[index])
    tubes = []
    for run in _runs(unique, max_gap):
        pending, linked = [run], 0
        while pending and linked < max_tubes:
            present = pending.pop(0)
            if present[-1] - present[0] + 1 < min_length:
                continue  # no chain in this run can be long enough
            span = np.arange(present[0], present[-1] + 1)
            after = np.clip(np.searchsorted(present, span), 0, len(present) - 1)
            before = np.clip(after - 1, 0, len(present) - 1)
            source = np.where(np.abs(present[before] - span) <= np.abs(present[after] - span), present[before],
                              present[after])
            source = np.where(np.isin(span, present), span, source)
            first, chain = _best_chain([candidates[f][0] for f in source], [candidates[f][1] for f in source],
                                       convention, edge_weights, min_iou)
            linked += 1
            positions = range(first, first + len(chain))
            tube = np.array([[span[p], *candidates[source[p]][0][k], candidates[source[p]][1][k]]
                             for p, k in zip(positions, chain)])
            if len(tube) >= min_length:
                tubes.append((float(tube[:, 5].mean()), tube))
            for p, k in zip(positions, chain):
                if span[p] == source[p]:  # a borrowed box stays with the frame it belongs to
                    f = int(source[p])
                    candidates[f] = (np.delete(candidates[f][0], k, 0), np.delete(candidates[f][1], k))
            left = np.array([f for f in present if len(candidates[int(f)][1])], np.int64)
            pending = sorted(pending + _runs(left, max_gap), key=lambda r: int(r[0]))
    return tubes


def link_tubes_greedy(frames: np.ndarray, boxes: np.ndarray, scores: np.ndarray, iou_thr: float = 0.5,
                      top_k: int = 10, nms_thr: float = 0.6, min_length: int = 15,
                      convention: str = 'voc') -> List[Tuple[float, np.ndarray]]:
    """Link one video's detections of one class into tubes online (the ACT-detector linking, K=1).

    Frame by frame (after per-frame NMS at ``nms_thr``, ``top_k`` boxes), every active tube, in
    decreasing mean score, takes the highest-scoring box with IoU >= ``iou_thr`` to its last box;
    a tube that finds none ends, and the boxes nobody took start new tubes. Tubes shorter than
    ``min_length`` frames are dropped.

    Returns:
        list: ``(score, tube)`` pairs as :func:`link_tubes_viterbi`.
    """
    from mmcv.ops import nms
    frames = np.asarray(frames, np.int64)
    active: List[List[Tuple[int, np.ndarray, float]]] = []
    finished = []
    for frame in np.unique(frames):
        index = np.flatnonzero(frames == frame)
        _, kept = nms(boxes[index].astype(np.float32), scores[index].astype(np.float32), nms_thr,
                      offset=int(_pixel_offset(convention)))
        candidates = [int(i) for i in index[np.asarray(kept)[:top_k]]]
        active.sort(key=lambda tube: -np.mean([s for _, _, s in tube]))
        still_active = []
        for tube in active:
            last_frame, last_box, _ = tube[-1]
            match = None
            if last_frame == frame - 1 and candidates:
                ious = pairwise_iou(last_box[None], boxes[candidates], convention)[0]
                valid = np.flatnonzero(ious >= iou_thr)
                if valid.size:
                    match = candidates[valid[np.argmax(scores[[candidates[v] for v in valid]])]]
            if match is None:
                finished.append(tube)
            else:
                tube.append((int(frame), boxes[match].astype(np.float64), float(scores[match])))
                candidates.remove(match)
                still_active.append(tube)
        active = still_active + [[(int(frame), boxes[i].astype(np.float64), float(scores[i]))]
                                 for i in candidates]
    tubes = []
    for tube in finished + active:
        if len(tube) < min_length:
            continue
        array = np.array([[frame, *box, score] for frame, box, score in tube])
        tubes.append((float(array[:, 5].mean()), array))
    return tubes


def build_video_tubes(detections: np.ndarray, num_videos: int, num_classes: int, linking: str = 'viterbi',
                      nms_thr: float = 0.3, convention: str = 'voc', progress: bool = False,
                      **link_options) -> Dict[int, List[Tuple[int, float, np.ndarray]]]:
    """Link frame detections (``(N, 8)`` rows) per video and class, then 3D-NMS per video and class.

    Returns:
        dict: ``{label: [(video_index, score, tube), ...]}``.
    """
    if linking not in ('viterbi', 'greedy'):
        raise ValueError(f"unknown linking {linking!r}; expected 'viterbi' or 'greedy'")
    link = link_tubes_viterbi if linking == 'viterbi' else link_tubes_greedy
    detections = np.asarray(detections, np.float64).reshape(-1, 8)
    out: Dict[int, List[Tuple[int, float, np.ndarray]]] = {label: [] for label in range(num_classes)}
    order = np.lexsort((detections[:, 2], detections[:, 0]))
    detections = detections[order]
    keys = detections[:, 0] * num_classes + detections[:, 2]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else np.array([], int)
    ends = np.r_[starts[1:], len(keys)]
    bar = None
    if progress and len(starts):
        from mmengine.utils import ProgressBar
        bar = ProgressBar(len(starts))
    for start, end in zip(starts, ends):
        group = detections[start:end]
        video, label = int(group[0, 0]), int(group[0, 2])
        tubes = link(group[:, 1], group[:, 4:8], group[:, 3], convention=convention, **link_options)
        for i in tube_nms(tubes, nms_thr, convention):
            out[label].append((video, tubes[i][0], tubes[i][1]))
        if bar is not None:
            bar.update()
    return out


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
