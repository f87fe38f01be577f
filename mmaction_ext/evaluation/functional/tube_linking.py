"""Linking per-frame detections into tubes (video-mAP), one video and class at a time.

Frame detections are ``(N, 8)`` rows ``video_index, frame, label, score, x1, y1, x2, y2``; detected tubes
are ``{label: [(video_index, score, tube), ...]}`` with ``tube`` an ``(n, 6)`` array ``frame, x1, y1, x2,
y2, frame_score`` (see :mod:`mmaction_ext.structures`).

- :func:`link_tubes_viterbi`: dynamic programming with the YOWO / CSA edge score;
- :func:`link_tubes_greedy`: the ACT-detector online linking (K = 1).
"""
import inspect
from typing import Dict, List, Tuple

import numpy as np

from ...structures import box_pixel_offset, pairwise_box_iou, tube_nms
from ...utils import unknown_name_message


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
            iou = pairwise_box_iou(boxes[t - 1], boxes[t], convention)
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
                      top_k: int = 10, frame_nms_thr: float = 0.6, min_length: int = 15,
                      convention: str = 'voc') -> List[Tuple[float, np.ndarray]]:
    """Link one video's detections of one class into tubes online (the ACT-detector linking, K=1).

    Frame by frame (after per-frame 2D NMS at ``frame_nms_thr``, ``top_k`` boxes), every active tube, in
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
        _, kept = nms(boxes[index].astype(np.float32), scores[index].astype(np.float32), frame_nms_thr,
                      offset=int(box_pixel_offset(convention)))
        candidates = [int(i) for i in index[np.asarray(kept)[:top_k]]]
        active.sort(key=lambda tube: -np.mean([s for _, _, s in tube]))
        still_active = []
        for tube in active:
            last_frame, last_box, _ = tube[-1]
            match = None
            if last_frame == frame - 1 and candidates:
                ious = pairwise_box_iou(last_box[None], boxes[candidates], convention)[0]
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


LINKERS = {'viterbi': link_tubes_viterbi, 'greedy': link_tubes_greedy}
# What every linker takes from build_video_tubes itself; the rest are its options.
_LINKER_INPUTS = ('frames', 'boxes', 'scores', 'convention')


def link_option_names(linking: str) -> List[str]:
    """The keyword options of the linker ``linking`` (``'viterbi'`` or ``'greedy'``)."""
    if linking not in LINKERS:
        raise ValueError(f'unknown linking {linking!r}; expected one of {sorted(LINKERS)}')
    return [name for name in inspect.signature(LINKERS[linking]).parameters if name not in _LINKER_INPUTS]


def check_link_options(linking: str, options: Dict) -> None:
    """Raise ``ValueError`` naming the first key of ``options`` that the linker ``linking`` does not take
    (with the closest valid name)."""
    valid = link_option_names(linking)
    for key in options:
        if key not in valid:
            raise ValueError(unknown_name_message(key, valid, f'{linking!r} link option'))


def build_video_tubes(detections: np.ndarray, num_videos: int, num_classes: int, linking: str = 'viterbi',
                      tube_nms_thr: float = 0.3, convention: str = 'voc', progress: bool = False,
                      **link_options) -> Dict[int, List[Tuple[int, float, np.ndarray]]]:
    """Link frame detections (``(N, 8)`` rows ``video_index, frame, label, score, x1, y1, x2, y2``) per
    video and class with ``LINKERS[linking]`` and its ``link_options``, then apply 3D NMS per video and
    class at ST-IoU ``tube_nms_thr``.

    Returns:
        dict: ``{label: [(video_index, score, tube), ...]}``.
    """
    check_link_options(linking, link_options)
    link = LINKERS[linking]
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
        for i in tube_nms(tubes, tube_nms_thr, convention):
            out[label].append((video, tubes[i][0], tubes[i][1]))
        if bar is not None:
            bar.update()
    return out
