"""Linking per-frame detections into tubes (video-mAP), one video and class at a time.

Frame detections are ``(N, 8)`` rows ``video_index, frame, label, score, x1, y1, x2, y2``; detected tubes
are ``{label: [(video_index, score, tube), ...]}`` with ``tube`` an ``(n, 6)`` array ``frame, x1, y1, x2,
y2, frame_score`` (see :mod:`mmaction_ext.structures`).

- :func:`link_tubes_greedy`: the ACT-detector online linking (K = 1), also MultiSports' ``link_tubes``;
- :func:`link_tubes_csa`: CSA's / YOWO's whole-video Viterbi linking, with its 3D NMS and trimming;
- :func:`link_tubes_viterbi`: ours, the CSA edge score on runs of frames with detections.
"""
import inspect
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ...structures import paired_box_iou, pairwise_box_iou, tube_nms
from ...utils import unknown_name_message
from .conventions import ConventionLike, resolve_convention


def soft_suppress(boxes: np.ndarray, scores: np.ndarray, iou_thr: float = 0.6,
                  top_k: Optional[int] = 10) -> Tuple[np.ndarray, np.ndarray]:
    """ACT's per-frame suppression (``nms_tubelets`` with K = 1): in decreasing score order, each box not yet
    visited lowers the score of every unvisited box overlapping it by more than ``iou_thr`` to
    ``score * (1 - IoU)``, and those boxes are visited (they suppress nothing). Areas count the ``+1``
    pixel, in ACT and MultiSports alike.

    Returns:
        tuple: indices of the ``top_k`` (None: all) boxes by decreasing new score (ties keep input order),
        and their new scores.
    """
    boxes, scores = np.asarray(boxes, np.float64), np.asarray(scores, np.float64)
    if len(scores) < 2:
        return np.arange(len(scores))[:top_k], scores[:top_k]
    ious = pairwise_box_iou(boxes, boxes, 'act')
    weight = np.ones(len(scores))
    order = np.argsort(-scores, kind='stable')
    while order.size:
        overlaps = ious[order[0], order[1:]]
        suppressed = overlaps > iou_thr
        weight[order[1:][suppressed]] = 1 - overlaps[suppressed]
        order = order[1:][~suppressed]
    new_scores = scores * weight
    kept = np.argsort(-new_scores, kind='stable')[:top_k]
    return kept, new_scores[kept]


def _tube_array(frames: Sequence[int], boxes: Sequence[np.ndarray], scores: Sequence[float]) -> np.ndarray:
    """``(n, 6)`` float32 rows ``frame, box, score`` (the evaluators store linked tubes in float32)."""
    return np.c_[np.asarray(frames, np.float64), np.asarray(boxes, np.float64).reshape(-1, 4),
                 np.asarray(scores, np.float64)].astype(np.float32)


def link_tubes_greedy(frames: np.ndarray, boxes: np.ndarray, scores: np.ndarray, iou_thr: float = 0.5,
                      top_k: int = 10, frame_nms_thr: float = 0.6, min_score: float = 0.005,
                      min_length: int = 15, convention: str = 'voc') -> List[Tuple[float, np.ndarray]]:
    """Link one video's detections of one class into tubes online: ACT-detector's ``BuildTubes`` with
    K = 1 (MOC-Detector's port), which MultiSports' ``link_tubes`` also is.

    Frame by frame: the boxes go through :func:`soft_suppress` (``frame_nms_thr``, ``top_k``); every active
    tube, in decreasing mean score (ties keep the previous frame's order), takes the highest-scoring box
    whose IoU (box ``convention``) with its last box is at least ``iou_thr``; a tube that finds none ends
    there (one missed frame ends a tube); the boxes nobody took start new tubes. A tube's score is the
    mean of its (suppressed) frame scores; tubes scoring below ``min_score`` or shorter than
    ``min_length`` frames are dropped.

    Returns:
        list: ``(score, tube)`` pairs; ``tube`` is ``(n, 6)`` float32 (frame, box, frame score).
    """
    frames = np.asarray(frames, np.int64)
    order = np.argsort(frames, kind='stable')  # a frame's boxes keep their input order
    frames, boxes, scores = frames[order], np.asarray(boxes, np.float64)[order], np.asarray(scores, np.float64)[order]
    unique, starts = np.unique(frames, return_index=True)
    ends = np.r_[starts[1:], len(frames)]
    active: List[dict] = []  # dict(frames, boxes, scores, total)
    finished: List[dict] = []
    for frame, start, end in zip(unique.tolist(), starts, ends):
        kept, candidate_scores = soft_suppress(boxes[start:end], scores[start:end], frame_nms_thr, top_k)
        candidates = boxes[start:end][kept]
        free = np.ones(len(kept), bool)
        running = [tube for tube in active if tube['frames'][-1] == frame - 1]
        finished += [tube for tube in active if tube['frames'][-1] != frame - 1]
        running.sort(key=lambda tube: -tube['total'] / len(tube['scores']))
        active = []
        if running:
            ious = pairwise_box_iou(np.array([tube['boxes'][-1] for tube in running]), candidates, convention)
            for tube, overlaps in zip(running, ious):
                valid = np.flatnonzero(free & (overlaps >= iou_thr))
                if valid.size == 0:
                    finished.append(tube)
                    continue
                take = valid[np.argmax(candidate_scores[valid])]
                free[take] = False
                tube['frames'].append(frame)
                tube['boxes'].append(candidates[take])
                tube['scores'].append(candidate_scores[take])
                tube['total'] += candidate_scores[take]
                active.append(tube)
        active += [dict(frames=[frame], boxes=[candidates[i]], scores=[candidate_scores[i]], total=candidate_scores[i])
                   for i in np.flatnonzero(free)]
    tubes = []
    for tube in finished + active:
        if len(tube['frames']) < min_length:
            continue
        score = float(np.mean(tube['scores']))
        if score >= min_score:
            tubes.append((score, _tube_array(tube['frames'], tube['boxes'], tube['scores'])))
    return tubes


def _whole_video_path(edges: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """The path through one alive box per frame maximising the sum of ``edges[t, i, j]`` (box i of frame t
    to box j of frame t+1), by backward dynamic programming in float32 as YOWO's
    ``link_bbxes_between_frames`` (the first box wins ties).

    Args:
        edges (np.ndarray): ``(T - 1, M, M)`` float32.
        alive (np.ndarray): ``(T, M)`` bool, the boxes still available (every frame has one).

    Returns:
        np.ndarray: ``(T, )`` the box of each frame.
    """
    num_frames = len(alive)
    if alive.sum(1).max() == 1:  # one box per frame: nothing to choose
        return alive.argmax(1)
    total = np.where(alive[-1], np.float32(0), np.float32(-np.inf))
    pointers = np.zeros((num_frames - 1, alive.shape[1]), np.int64)
    for t in range(num_frames - 2, -1, -1):
        candidates = edges[t] + total[None]
        pointers[t] = candidates.argmax(1)
        total = np.where(alive[t], candidates.max(1), np.float32(-np.inf))
    path = np.zeros(num_frames, np.int64)
    path[0] = total.argmax()
    for t in range(num_frames - 1):
        path[t + 1] = pointers[t, path[t]]
    return path


def link_tubes_csa(frames: np.ndarray, boxes: np.ndarray, scores: np.ndarray, num_frames: int,
                   max_tubes: int = 3, edge_weights: Tuple[float, float, float] = (1.0, 1.0, 0.5),
                   tube_nms_thr: Optional[float] = 0.3, trim: bool = True,
                   convention: str = 'act') -> List[Tuple[float, np.ndarray]]:
    """Link one video's detections of one class as CSA's evaluator (YOWO's ``video_mAP``) does.

    1. Frames ``1 .. num_frames``; a frame without detections gets the boxes of the nearest frame that
       has some (the earlier one on a tie). No detection at all: no tube.
    2. Viterbi over the whole video with edge score ``w_iou * IoU + w_sum * (s_t + s_t+1) + w_prod * s_t *
       s_t+1`` (IoU without the +1 pixel, as YOWO's ``bbox_iou``); the best path is a tube and its boxes
       leave their frames; repeated until ``max_tubes`` tubes or a frame has no box left.
    3. 3D NMS at ``tube_nms_thr`` (box ``convention``, YOWO's temporal IoU) on these whole-video tubes.
    4. ``trim``: each tube is cut to as many frames as the video has frames with detections, starting one
       frame after the first of them (the evaluator slices rows from the first frame *number*); the
       tube's score is the mean frame score of what is left.

    Returns:
        list: ``(score, tube)`` pairs; ``tube`` is ``(n, 6)`` float32 (frame, box, frame score).
    """
    frames = np.asarray(frames, np.int64)
    boxes, scores = np.asarray(boxes, np.float64), np.asarray(scores, np.float64)
    present, counts = np.unique(frames, return_counts=True)
    if present.size == 0:
        return []
    if present[0] < 1 or present[-1] > num_frames:
        raise ValueError(f'link_tubes_csa: detections at frames {present[0]}-{present[-1]} outside the video\'s '
                         f'1-{num_frames}')
    # Boxes of each present frame, in input order, padded to the most a frame has.
    order = np.argsort(frames, kind='stable')
    slot = np.arange(len(frames)) - np.repeat(np.cumsum(counts) - counts, counts)
    row = np.repeat(np.arange(len(present)), counts)
    present_boxes = np.zeros((len(present), counts.max(), 4))
    present_scores = np.zeros((len(present), counts.max()))
    present_boxes[row, slot], present_scores[row, slot] = boxes[order], scores[order]
    span = np.arange(1, num_frames + 1)
    source = np.abs(span[:, None] - present[None]).argmin(1)  # the nearest present frame, earlier on a tie
    frame_boxes, frame_scores = present_boxes[source], present_scores[source]
    alive = np.arange(counts.max())[None] < counts[source][:, None]
    w_iou, w_sum, w_prod = edge_weights
    s1, s2 = frame_scores[:-1, :, None], frame_scores[1:, None]
    iou = paired_box_iou(frame_boxes[:-1, :, None], frame_boxes[1:, None], 'voc')
    edges = (w_iou * iou + w_sum * (s1 + s2) + w_prod * (s1 * s2)).astype(np.float32)
    whole = []
    while len(whole) < max_tubes and alive.any(1).all():
        path = _whole_video_path(edges, alive)
        tube = _tube_array(span, frame_boxes[span - 1, path], frame_scores[span - 1, path])
        whole.append((float(np.mean(tube[:, 5])), tube))
        alive[span - 1, path] = False
    if tube_nms_thr is not None:
        whole = [whole[i] for i in tube_nms(whole, tube_nms_thr, convention, 'yowo')]
    if not trim:
        return whole
    first, length = int(present[0]), len(present)
    trimmed = [tube[first:first + length] for _, tube in whole]
    # An empty cut (the only detections on the last frame) would score NaN, rank last and never match.
    return [(float(np.mean(tube[:, 5])), tube) for tube in trimmed if len(tube)]


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


LINKERS = {'greedy': link_tubes_greedy, 'csa': link_tubes_csa, 'viterbi': link_tubes_viterbi}
# What build_video_tubes gives every linker itself; the rest are its options.
_LINKER_INPUTS = ('frames', 'boxes', 'scores', 'convention', 'num_frames')


def link_option_names(linking: str) -> List[str]:
    """The keyword options of the linker ``linking`` (one of :data:`LINKERS`)."""
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


def build_video_tubes(detections: np.ndarray, num_videos: int, num_classes: int,
                      convention: ConventionLike = 'voc', linking: Optional[str] = None,
                      num_frames: Optional[Sequence[int]] = None, progress: bool = False,
                      **link_options) -> Dict[int, List[Tuple[int, float, np.ndarray]]]:
    """Link frame detections (``(N, 8)`` rows ``video_index, frame, label, score, x1, y1, x2, y2``) per
    video and class with ``LINKERS[linking]`` (default: the convention's) and its ``link_options``, then
    apply the convention's 3D NMS per video and class, if any.

    Args:
        num_frames (Sequence[int], optional): Frames of each video; needed by ``'csa'``, which links
            whole videos.

    Returns:
        dict: ``{label: [(video_index, score, tube), ...]}``.
    """
    convention = resolve_convention(convention)
    linking = linking or convention.linking
    check_link_options(linking, link_options)
    link = LINKERS[linking]
    takes_num_frames = 'num_frames' in inspect.signature(link).parameters
    if takes_num_frames and num_frames is None:
        raise ValueError(f'linking {linking!r} links whole videos: give num_frames, the frame count of each video')
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
        extra = dict(num_frames=int(num_frames[video])) if takes_num_frames else {}
        tubes = link(group[:, 1], group[:, 4:8], group[:, 3], convention=convention.box, **extra, **link_options)
        kept = (range(len(tubes)) if convention.tube_nms_thr is None else
                tube_nms(tubes, convention.tube_nms_thr, convention.box, convention.temporal_iou))
        for i in kept:
            out[label].append((video, tubes[i][0], tubes[i][1]))
        if bar is not None:
            bar.update()
    return out
