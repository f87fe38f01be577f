"""Seeded synthetic frame detections around real ground-truth tubes, for checking detection evaluators.

The detections exercise every rule of frame-mAP and video-mAP: jittered true boxes, missed frames that
break a tube, label confusions, near-duplicate boxes, tubes that run on before and after the action,
false-positive tracks and stray false-positive boxes. Every score is distinct, so the evaluators' sort
orders (several of them unstable) agree.
"""
from typing import Dict, List, Mapping, Sequence

import numpy as np


def _jitter(rng: np.random.Generator, boxes: np.ndarray, fraction: float) -> np.ndarray:
    """Move each corner by up to ``fraction`` of the box size, keeping at least 1 pixel of width and height."""
    size = np.tile(boxes[:, 2:4] - boxes[:, 0:2], 2)
    out = boxes + rng.uniform(-fraction, fraction, boxes.shape) * size
    out[:, 2:] = np.maximum(out[:, 2:], out[:, :2] + 1)
    return out


def _drifting_track(rng: np.random.Generator, first_box: np.ndarray, length: int) -> np.ndarray:
    """``length`` boxes starting at ``first_box``, drifting a few pixels per frame."""
    steps = rng.uniform(-3, 3, (length, 2)).cumsum(0)
    return first_box + np.tile(steps, 2)


def perturbed_tube_detections(gttubes: Mapping[str, Mapping[int, Sequence[np.ndarray]]], videos: Sequence[str],
                              nframes: Mapping[str, int], num_classes: int, seed: int = 0,
                              jitter: float = 0.1, miss_rate: float = 0.01, confusion_rate: float = 0.02,
                              duplicate_rate: float = 0.15, extend_rate: float = 0.3,
                              false_tracks_per_video: int = 2, stray_rate: float = 0.2,
                              image_size: Sequence[float] = (320.0, 240.0)) -> np.ndarray:
    """Frame detections ``(N, 8)`` (``video_index, frame, label, score, x1, y1, x2, y2``) for ``videos``.

    Per ground-truth tube: every box jittered by up to ``jitter`` of its size (score 0.3-1), except that a
    frame is missed with probability ``miss_rate`` and given to a wrong class with ``confusion_rate``; a
    second box (a 2-15% shift, score 0.1-0.8) duplicates a detection with ``duplicate_rate``; with
    ``extend_rate`` the detections run on for 5-20 frames before or after the tube (score 0.05-0.5). Per
    video, ``false_tracks_per_video`` drifting tracks of random classes (10-40 frames, score 0.01-0.6),
    and per annotated frame a stray random box with ``stray_rate`` (score 0-0.5).
    """
    rng = np.random.default_rng(seed)
    width, height = image_size
    rows: List[np.ndarray] = []

    def add(index, frames, labels, scores, boxes):
        frames = np.asarray(frames, np.float64)
        rows.append(np.c_[np.full(len(frames), index), frames, np.broadcast_to(labels, frames.shape), scores, boxes])

    for index, video in enumerate(videos):
        length = int(nframes[video])
        for label, tubes in gttubes.get(video, {}).items():
            for tube in tubes:
                tube = np.asarray(tube, np.float64)
                boxes = _jitter(rng, tube[:, 1:5], jitter)
                kept = rng.random(len(tube)) >= miss_rate
                labels = np.where(rng.random(len(tube)) < confusion_rate,
                                  (label + rng.integers(1, num_classes, len(tube))) % num_classes, label)
                add(index, tube[kept, 0], labels[kept], rng.uniform(0.3, 1.0, kept.sum()), boxes[kept])
                duplicated = kept & (rng.random(len(tube)) < duplicate_rate)
                box_width = boxes[duplicated, 2:3] - boxes[duplicated, 0:1]
                shift = rng.uniform(0.02, 0.15, (duplicated.sum(), 1)) * box_width
                add(index, tube[duplicated, 0], labels[duplicated], rng.uniform(0.1, 0.8, duplicated.sum()),
                    boxes[duplicated] + np.c_[shift, shift * 0, shift, shift * 0])
                if rng.random() < extend_rate:
                    extra = int(rng.integers(5, 21))
                    if rng.random() < 0.5:
                        frames = np.arange(max(1, tube[0, 0] - extra), tube[0, 0])
                        track = _drifting_track(rng, boxes[0], len(frames))[::-1]
                    else:
                        frames = np.arange(tube[-1, 0] + 1, min(length, tube[-1, 0] + extra) + 1)
                        track = _drifting_track(rng, boxes[-1], len(frames))
                    add(index, frames, label, rng.uniform(0.05, 0.5, len(frames)), track)
                stray = np.flatnonzero(rng.random(len(tube)) < stray_rate)
                corner = rng.uniform(0, [width - 20, height - 20], (len(stray), 2))
                add(index, tube[stray, 0], rng.integers(0, num_classes, len(stray)), rng.uniform(0, 0.5, len(stray)),
                    np.c_[corner, corner + rng.uniform(20, 80, (len(stray), 2))])
        for _ in range(false_tracks_per_video):
            span = int(rng.integers(10, 41))
            first = int(rng.integers(1, max(2, length - span + 2)))
            frames = np.arange(first, min(length, first + span - 1) + 1)
            corner = rng.uniform(0, [width - 60, height - 60])
            track = _drifting_track(rng, np.r_[corner, corner + rng.uniform(30, 60, 2)], len(frames))
            add(index, frames, int(rng.integers(0, num_classes)), rng.uniform(0.01, 0.6, len(frames)), track)
    detections = np.concatenate(rows) if rows else np.zeros((0, 8))
    # Distinct scores: redraw the (practically never) repeated ones.
    while len(np.unique(detections[:, 3])) < len(detections):
        _, first = np.unique(detections[:, 3], return_index=True)
        repeated = np.setdiff1d(np.arange(len(detections)), first)
        detections[repeated, 3] = rng.uniform(0, 1, len(repeated))
    return detections


def ucf24_test_subset(annos: Dict, per_class: int) -> List[str]:
    """The first ``per_class`` split-1 test videos of every class (in list order), for a small real fixture."""
    chosen: Dict[int, List[str]] = {}
    for video in annos['test_videos'][0]:
        labels = list(annos['gttubes'][video])
        if labels and len(chosen.setdefault(labels[0], [])) < per_class:
            chosen[labels[0]].append(video)
    return [video for label in sorted(chosen) for video in chosen[label]]
