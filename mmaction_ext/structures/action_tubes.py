"""The spatio-temporal tube format of a clip, shared by datasets, transforms, detectors and metrics.

A clip has ``T`` frames; ``frame_ids (T, )`` are their 1-based frame numbers in the video and
``frame_valid (T, )`` is False on frames that only pad the clip (never labelled, never evaluated).
Boxes are ``x1, y1, x2, y2`` in continuous pixel coordinates.

- **Ground truth** (``ActionDataSample.gt_instances``): ``bboxes (A, T, 4)`` float and ``labels (A, T)``
  int64, one row per actor present in the clip; label ``-1`` (background) and a zero box on the frames
  where that actor is absent.
- **Predictions** (``ActionDataSample.pred_instances``): ``bboxes (Q, T, 4)`` and per-frame class scores
  ``scores (Q, T, C)``, in pixels of the annotation's resolution (``gt_resolution``).
- **Per-frame detections** (what frame-mAP and tube linking read): ``(N, 7)`` rows
  ``frame, label, score, x1, y1, x2, y2`` (:func:`frame_detections_from_tubes`).
- **Video tracks** (the ACT ground-truth rows): per actor an ``(n, 5)`` array ``frame, x1, y1, x2, y2``
  over the frames it is annotated (:func:`clip_tubes_from_tracks` cuts a clip out of them).

Every function accepts numpy arrays; the ones a model calls (:func:`rescale_tube_boxes`,
:func:`tube_boxes_to_annotation`) accept torch tensors too.
"""
from typing import Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch

Array = Union[np.ndarray, torch.Tensor]


def to_numpy(value) -> np.ndarray:
    """A tensor (any device) or array-like as a numpy array."""
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


def check_gt_tubes(bboxes: Array, labels: Array, where: str = 'ground truth') -> None:
    """Raise ``ValueError`` (prefixed by ``where``) unless ``bboxes (A, T, 4)`` and ``labels (A, T)`` match."""
    boxes_shape, labels_shape = tuple(bboxes.shape), tuple(labels.shape)
    if len(boxes_shape) != 3 or boxes_shape[-1] != 4 or boxes_shape[:2] != labels_shape:
        raise ValueError(f'{where}: tube bboxes {boxes_shape} and labels {labels_shape} do not match '
                         '(expected (A, T, 4) and (A, T))')


def check_pred_tubes(bboxes: Array, scores: Array, frame_ids: Array, frame_valid: Array, num_classes: int,
                     where: str = 'prediction') -> None:
    """Raise ``ValueError`` naming the tube and frame unless the predictions are well formed.

    Checks the shapes ``bboxes (Q, T, 4)`` and ``scores (Q, T, C)`` against ``frame_ids (T, )`` and
    ``num_classes``, and on valid frames: finite scores and boxes, ``x2 >= x1`` and ``y2 >= y1``.
    """
    boxes, scores = to_numpy(bboxes), to_numpy(scores)
    frame_ids, valid = to_numpy(frame_ids), to_numpy(frame_valid).astype(bool)
    num_frames = len(frame_ids)
    if boxes.ndim != 3 or boxes.shape[1:] != (num_frames, 4):
        raise ValueError(f'{where}: bboxes of shape {boxes.shape}, expected (Q, {num_frames}, 4)')
    if scores.shape != (boxes.shape[0], num_frames, num_classes):
        raise ValueError(f'{where}: scores of shape {scores.shape}, expected '
                         f'({boxes.shape[0]}, {num_frames}, {num_classes})')
    for name, array in (('scores', scores), ('bboxes', boxes)):
        finite = np.isfinite(array).all(-1) | ~valid[None]
        if not finite.all():
            tube, frame = np.argwhere(~finite)[0]
            raise ValueError(f'{where}: non-finite {name} for tube {tube} at frame {frame_ids[frame]}')
    inverted = ((boxes[..., 2] < boxes[..., 0]) | (boxes[..., 3] < boxes[..., 1])) & valid[None]
    if inverted.any():
        tube, frame = np.argwhere(inverted)[0]
        raise ValueError(f'{where}: box {boxes[tube, frame].tolist()} of tube {tube} at frame '
                         f'{frame_ids[frame]} has x2 < x1 or y2 < y1')


def rescale_tube_boxes(bboxes: Array, from_shape: Sequence[int], to_shape: Sequence[int]) -> Array:
    """``(..., 4)`` boxes in pixels of a ``from_shape (h, w)`` image, in pixels of ``to_shape (h, w)``."""
    (from_h, from_w), (to_h, to_w) = from_shape, to_shape
    factors = [to_w / from_w, to_h / from_h] * 2
    if isinstance(bboxes, torch.Tensor):
        return bboxes * bboxes.new_tensor(factors)
    bboxes = np.asarray(bboxes)
    return (bboxes * np.asarray(factors, np.float64)).astype(bboxes.dtype)


def tube_boxes_to_annotation(bboxes: Array, metainfo: Mapping) -> Array:
    """A detector's boxes in pixels of its input (``img_shape``) mapped to the annotation's resolution
    (``gt_resolution``), as the metrics expect them.

    Detection test pipelines only resize (``TubeResize``): a crop or flip in ``metainfo`` cannot be undone
    here and is refused.
    """
    # crop_bbox is an array where a crop ran (its truth value is ambiguous); flip is a bool where Flip ran.
    applied = [key for key, done in (('crop_bbox', metainfo.get('crop_bbox') is not None),
                                     ('flip', bool(metainfo.get('flip')))) if done]
    if applied:
        raise ValueError(f'clip {metainfo.get("video_id")!r}: its test pipeline applied {applied[0]!r}; predictions '
                         'can only be mapped back to the annotation from a pipeline that just resizes')
    img_shape = tuple(metainfo['img_shape'])
    return rescale_tube_boxes(bboxes, img_shape, tuple(metainfo.get('gt_resolution', img_shape)))


def drop_empty_tube_boxes(bboxes: np.ndarray, labels: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Background (label ``-1``, zero box) wherever a box has no area left (after a crop, say)."""
    empty = (bboxes[..., 2] <= bboxes[..., 0]) | (bboxes[..., 3] <= bboxes[..., 1])
    labels = np.where(empty, -1, labels)
    return np.where((labels < 0)[..., None], 0, bboxes).astype(np.float32), labels


def clip_tubes_from_tracks(tracks: Sequence[Tuple[int, np.ndarray]], frame_ids: np.ndarray,
                           frame_valid: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Ground-truth tubes of one clip from a video's tracks.

    Args:
        tracks: ``(label, rows)`` per actor, ``rows`` the ``(n, 5)`` ACT rows sorted by frame.
        frame_ids (np.ndarray): ``(T, )`` 1-based frame numbers of the clip.
        frame_valid (np.ndarray): ``(T, )``; padded frames get no label.

    Returns:
        tuple: ``bboxes (A, T, 4)`` float32 and ``labels (A, T)`` int64 for the ``A`` actors annotated on
        at least one valid frame of the clip.
    """
    num_frames = len(frame_ids)
    boxes, labels = [], []
    for label, rows in tracks:
        index = np.clip(np.searchsorted(rows[:, 0], frame_ids), 0, len(rows) - 1)
        present = frame_valid & (rows[index, 0] == frame_ids)
        if not present.any():
            continue
        actor_boxes = np.zeros((num_frames, 4), np.float32)
        actor_labels = np.full(num_frames, -1, np.int64)
        actor_boxes[present], actor_labels[present] = rows[index[present], 1:5], label
        boxes.append(actor_boxes)
        labels.append(actor_labels)
    if not boxes:
        return np.zeros((0, num_frames, 4), np.float32), np.zeros((0, num_frames), np.int64)
    return np.stack(boxes), np.stack(labels)


def frame_detections_from_tubes(bboxes: Array, scores: Array, frame_ids: Array, frame_valid: Array,
                                max_per_frame: Optional[int] = 10, score_thr: float = 0.0,
                                argmax_only: bool = False, actor_scores: Optional[Array] = None,
                                actor_score_thr: float = 0.0) -> np.ndarray:
    """Per-frame detections of predicted tubes: every (tube, valid frame, class) is a candidate, and per
    frame the ``max_per_frame`` (None: all) highest-scoring candidates above ``score_thr`` are kept
    (ties keep (tube, class) order).

    Args:
        argmax_only (bool): Only each tube's best class in the frame is a candidate (first on ties).
        actor_scores (Array, optional): ``(Q, T)`` actor confidences; with them, a tube is a candidate in
            a frame only where its actor confidence is at least ``actor_score_thr`` (CSA's UCF video-mAP
            gate, 0.7).

    Returns:
        np.ndarray: ``(N, 7)`` float64 rows ``frame, label, score, x1, y1, x2, y2``.
    """
    boxes, scores = to_numpy(bboxes).astype(np.float64), to_numpy(scores).astype(np.float64)
    frame_ids, valid = to_numpy(frame_ids).astype(np.int64), to_numpy(frame_valid).astype(bool)
    num_classes = scores.shape[-1]
    if actor_scores is not None:
        actor_scores = to_numpy(actor_scores).astype(np.float64)
        if actor_scores.shape != scores.shape[:2]:
            raise ValueError(f'actor_scores of shape {actor_scores.shape}, expected {scores.shape[:2]} (Q, T)')
    rows = []
    for t in np.flatnonzero(valid):
        frame_scores = scores[:, t]  # (Q, C)
        candidate = np.ones(frame_scores.shape, bool)
        if argmax_only:
            candidate = np.zeros(frame_scores.shape, bool)
            candidate[np.arange(len(frame_scores)), frame_scores.argmax(1)] = True
        if actor_scores is not None:
            candidate &= (actor_scores[:, t] >= actor_score_thr)[:, None]
        candidate &= frame_scores > score_thr
        order = np.argsort(-frame_scores, axis=None, kind='stable')
        order = order[candidate.reshape(-1)[order]][:max_per_frame]
        tube, label = np.divmod(order, num_classes)
        rows.append(np.c_[np.full(len(tube), frame_ids[t]), label, frame_scores[tube, label], boxes[tube, t]])
    return np.concatenate(rows) if rows else np.zeros((0, 7))
