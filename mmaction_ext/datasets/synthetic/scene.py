"""Rendering of whole demo clips: a scrolling background, distractors and actors."""
import abc
from typing import List, Sequence, Tuple

import numpy as np

from .motions import ActorTrack, bounded_segment, torus_track
from .render import draw_sprite, smooth_noise_texture, sprite_bbox, sprite_pattern, to_uint8

# Base half size (width, height) of an actor at scale 1, as a fraction of the frame side.
ACTOR_HALF_SIZE = (0.15, 0.09)
DISTRACTOR_RADIUS = (0.035, 0.06)
NUM_DISTRACTORS = 3
BACKGROUND_SPEED = (0.0, 0.6)  # pixels per frame at 112
DISTRACTOR_SPEED = (0.3, 1.2)

# The difficulty ladder of the demo, easiest first: what each rung keeps of the full scene. Every rung
# draws the same random numbers, so that a seed gives the same actor (pattern, track) on every rung and
# only the scene around it changes.
DIFFICULTIES = {
    'static': dict(background_motion=False, num_distractors=0),  # still background, the actor alone
    'moving_background': dict(background_motion=True, num_distractors=0),
    'distractor': dict(background_motion=True, num_distractors=1),
    'full': dict(background_motion=True, num_distractors=NUM_DISTRACTORS),  # the demo as generated to files
}


def difficulty_settings(difficulty: str) -> dict:
    """The scene settings of one rung of :data:`DIFFICULTIES`, with an error naming the rungs."""
    if difficulty not in DIFFICULTIES:
        raise ValueError(f'unknown difficulty {difficulty!r}; expected one of {list(DIFFICULTIES)}')
    return DIFFICULTIES[difficulty]


class Scene:
    """Everything in a clip that does not depend on the class: the background
    (a periodic texture scrolling with its own velocity) and distractor discs
    moving in random directions. Both wrap at the border. ``difficulty`` names a
    rung of :data:`DIFFICULTIES`."""

    def __init__(self, rng: np.random.Generator, num_frames: int, height: int, width: int,
                 difficulty: str = 'full'):
        settings = difficulty_settings(difficulty)
        self.height, self.width = height, width
        unit = min(height, width) / 112.0
        # Lower contrast than the actors: the scene moves, but the actor stays the salient object.
        self.background = smooth_noise_texture(rng, height, width, cell=int(rng.integers(8, 17)), contrast=0.2)
        direction = rng.uniform(0, 2 * np.pi)
        speed = rng.uniform(*BACKGROUND_SPEED) * unit * settings['background_motion']
        t = np.arange(num_frames)
        self.background_shift = np.stack([np.round(speed * np.sin(direction) * t),
                                          np.round(speed * np.cos(direction) * t)], 1).astype(int)
        self.distractors = []
        for _ in range(NUM_DISTRACTORS):
            radius = rng.uniform(*DISTRACTOR_RADIUS) * min(height, width)
            direction = rng.uniform(0, 2 * np.pi)
            speed = rng.uniform(*DISTRACTOR_SPEED) * unit
            x = (rng.uniform(0, width) + speed * np.cos(direction) * t) % width
            y = (rng.uniform(0, height) + speed * np.sin(direction) * t) % height
            pattern = smooth_noise_texture(rng, 16, 16, cell=4)
            self.distractors.append((pattern, radius, x, y))
        del self.distractors[settings['num_distractors']:]

    def frame(self, index: int) -> np.ndarray:
        """The background and distractors of frame ``index`` as a float canvas."""
        canvas = np.roll(self.background, tuple(self.background_shift[index]), axis=(0, 1)).copy()
        for pattern, radius, x, y in self.distractors:
            draw_sprite(canvas, pattern, (x[index], y[index]), (radius, radius), 0.0, ellipse=True)
        return canvas


class LazyClip(abc.ABC):
    """A clip whose frames are drawn when indexed: ``clip[i]`` is frame ``i`` (``(H, W, 3)`` uint8 RGB), an array
    of indices gives a stack of frames. Subclasses set ``shape`` ``(T, H, W, 3)`` and draw one frame in
    :meth:`draw_frame`."""

    shape = (0, 0, 0, 3)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index):
        if np.ndim(index):
            return np.stack([self[int(i)] for i in index])
        index = int(index)
        if not -len(self) <= index < len(self):
            raise IndexError(f'frame {index} out of range for a clip of {len(self)} frames')
        return self.draw_frame(index % len(self))

    @abc.abstractmethod
    def draw_frame(self, index: int) -> np.ndarray:
        """Frame ``index`` (``0 <= index < T``) as ``(H, W, 3)`` uint8 RGB."""


class ClassificationClip(LazyClip):
    """A classification clip of class ``label`` whose frames are drawn when indexed.

    Sampling the scene and the actor's track draws every random number of the clip
    at construction; ``clip[i]`` then draws frame ``i`` alone (``(size, size, 3)``
    uint8 RGB), so a pipeline that reads 8 of 32 frames pays for 8. Indexing with an
    array of frame indices gives ``(len(indices), size, size, 3)``.
    """

    def __init__(self, rng: np.random.Generator, label: int, num_frames: int, size: int,
                 difficulty: str = 'full'):
        self.scene = Scene(rng, num_frames, size, size, difficulty)
        self.track = torus_track(rng, label, num_frames, size)
        self.pattern = sprite_pattern(rng)
        self.half = (ACTOR_HALF_SIZE[0] * size, ACTOR_HALF_SIZE[1] * size)
        self.shape = (num_frames, size, size, 3)

    def draw_frame(self, index: int) -> np.ndarray:
        canvas = self.scene.frame(index)
        track, s = self.track, self.track.scale[index]
        draw_sprite(canvas, self.pattern, (track.x[index], track.y[index]), (self.half[0] * s, self.half[1] * s),
                    track.angle[index])
        return to_uint8(canvas)


def render_classification_clip(rng: np.random.Generator, label: int, num_frames: int, size: int,
                               difficulty: str = 'full') -> np.ndarray:
    """One classification clip of class ``label``: ``(T, size, size, 3)`` uint8 RGB."""
    clip = ClassificationClip(rng, label, num_frames, size, difficulty)
    return clip[np.arange(num_frames)]


class DetectionActor:
    """An actor of a detection clip: its track and per-frame action label (-1: no action)."""

    def __init__(self, pattern: np.ndarray, half_size: Tuple[float, float], track: ActorTrack,
                 labels: np.ndarray):
        self.pattern, self.half_size, self.track, self.labels = pattern, half_size, track, labels

    def boxes(self, height: int, width: int) -> np.ndarray:
        """Per-frame ``(T, 4)`` boxes ``x1, y1, x2, y2`` in pixels."""
        t = self.track
        return np.array([
            sprite_bbox((t.x[i], t.y[i]), (self.half_size[0] * t.scale[i], self.half_size[1] * t.scale[i]),
                        t.angle[i], height, width) for i in range(len(t))
        ])

    def segments(self) -> List[Tuple[int, int, int]]:
        """Maximal runs ``(label, first_frame, last_frame)`` (0-based, inclusive) of one action."""
        runs, start = [], None
        for i, label in enumerate(list(self.labels) + [-2]):
            if start is not None and label != self.labels[start]:
                if self.labels[start] >= 0:
                    runs.append((int(self.labels[start]), start, i - 1))
                start = None
            if start is None and label != -2:
                start = i
        return runs


def sample_detection_actor(rng: np.random.Generator, num_frames: int, height: int, width: int,
                           num_classes: int, min_segment: int = 12, max_tries: int = 50) -> DetectionActor:
    """An actor that stays in the frame, idles (does not move) between 1-2 action segments."""
    side = min(height, width)
    half = (ACTOR_HALF_SIZE[0] * side * 0.8, ACTOR_HALF_SIZE[1] * side * 0.8)
    pose = (rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height, rng.uniform(0, 2 * np.pi), 1.0)
    x, y, angle, scale = (np.empty(num_frames) for _ in range(4))
    labels = np.full(num_frames, -1, np.int64)
    num_segments = int(rng.integers(1, 3)) if num_frames >= 2 * min_segment else 1
    action_lengths = rng.integers(min_segment, max(min_segment, num_frames // num_segments) + 1,
                                  size=num_segments)
    action_lengths = np.minimum(action_lengths, num_frames // num_segments)
    # The frames left over become idle gaps before, between and after the actions.
    idle = num_frames - int(action_lengths.sum())
    gaps = np.diff(np.sort(np.concatenate([[0, idle], rng.integers(0, idle + 1, size=num_segments)])))
    lengths = [int(gaps[0])]
    for action_length, gap in zip(action_lengths, gaps[1:]):
        lengths += [int(action_length), int(gap)]
    start = 0
    for k, length in enumerate(lengths):
        end = start + length
        segment = None
        if k % 2 == 1 and length > 0:
            for _ in range(max_tries):
                label = int(rng.integers(num_classes))
                segment = bounded_segment(rng, label, pose, length, width, height, half)
                if segment is not None:
                    labels[start:end] = label
                    break
        if segment is None:  # idle, or no action fits in the frame: hold the pose
            segment = ActorTrack(*(np.full(length, v) for v in pose))
        if length:
            x[start:end], y[start:end] = segment.x, segment.y
            angle[start:end], scale[start:end] = segment.angle, segment.scale
            pose = (segment.x[-1], segment.y[-1], segment.angle[-1], segment.scale[-1])
        start = end
    return DetectionActor(sprite_pattern(rng), half, ActorTrack(x, y, angle, scale), labels)


class DetectionClip(LazyClip):
    """A detection clip whose frames are drawn when indexed: the scene and 1-N actors that stay in the frame.

    Construction draws every random number of the clip (the scene, then the actor count, then each actor); ``clip[i]``
    draws frame ``i`` (``(H, W, 3)`` uint8 RGB), an array of indices a stack of frames. ``actors`` holds the
    tracks, boxes and per-frame labels.
    """

    def __init__(self, rng: np.random.Generator, num_frames: int, height: int, width: int, num_actors: Sequence[int],
                 num_classes: int, difficulty: str = 'full'):
        self.scene = Scene(rng, num_frames, height, width, difficulty)
        count = int(rng.integers(num_actors[0], num_actors[1] + 1))
        self.actors = [sample_detection_actor(rng, num_frames, height, width, num_classes) for _ in range(count)]
        self.shape = (num_frames, height, width, 3)

    def draw_frame(self, index: int) -> np.ndarray:
        canvas = self.scene.frame(index)
        for actor in self.actors:
            t, s = actor.track, actor.track.scale[index]
            draw_sprite(canvas, actor.pattern, (t.x[index], t.y[index]),
                        (actor.half_size[0] * s, actor.half_size[1] * s), t.angle[index], wrap=False)
        return to_uint8(canvas)


def render_detection_clip(rng: np.random.Generator, num_frames: int, height: int, width: int,
                          num_actors: Sequence[int], num_classes: int):
    """A detection clip with several actors.

    Returns:
        tuple[np.ndarray, list[DetectionActor]]: ``(T, H, W, 3)`` uint8 frames
        and the actors (tracks, boxes, per-frame labels).
    """
    clip = DetectionClip(rng, num_frames, height, width, num_actors, num_classes)
    return clip[np.arange(num_frames)], clip.actors
