"""The motion classes of the demo data and their kinematics.

A class is defined only by how the actor moves. For classification clips the
actor lives on a torus and every class draws its per-clip parameters so that,
in any single frame, the actor's position, orientation and size have the same
distribution for all classes (uniform position and angle, log-uniform size):
a classifier that sees one frame cannot beat chance. Only the change between
frames tells the classes apart.
"""
import numpy as np

MOTION_CLASSES = (
    'move_right_slow', 'move_right_fast', 'move_left_slow', 'move_left_fast',
    'move_up', 'move_down', 'rotate_clockwise', 'rotate_counterclockwise',
    'approach', 'recede', 'oscillate_horizontal', 'oscillate_vertical')

# Speeds in pixels per frame at a 112-pixel frame; they scale with the frame size.
SLOW_SPEED = (0.8, 1.2)
FAST_SPEED = (2.2, 3.0)
VERTICAL_SPEED = (1.2, 2.0)
ANGULAR_SPEED = (np.deg2rad(6.0), np.deg2rad(10.0))  # radians per frame
LOG_SCALE_RANGE = (np.log(0.6), np.log(1.6))  # sizes relative to the base half size
SCALE_RATE = (0.025, 0.04)  # change of log-size per frame
OSCILLATION_AMPLITUDE = (10.0, 18.0)  # pixels at 112
OSCILLATION_PERIOD = (8.0, 14.0)  # frames

_TRANSLATIONS = {
    'move_right_slow': ((1, 0), SLOW_SPEED),
    'move_right_fast': ((1, 0), FAST_SPEED),
    'move_left_slow': ((-1, 0), SLOW_SPEED),
    'move_left_fast': ((-1, 0), FAST_SPEED),
    'move_up': ((0, -1), VERTICAL_SPEED),
    'move_down': ((0, 1), VERTICAL_SPEED),
}


class ActorTrack:
    """Per-frame pose of an actor: centre ``x, y`` (pixels), ``angle`` (radians,
    counter-clockwise on screen) and ``scale``; each an array of ``T`` floats."""

    def __init__(self, x, y, angle, scale):
        self.x, self.y, self.angle, self.scale = x, y, angle, scale

    def __len__(self):
        return len(self.x)


def _move(rng: np.random.Generator, name: str, unit: float, t: np.ndarray, x: np.ndarray, y: np.ndarray,
          angle: np.ndarray, random_phase: bool):
    """Poses ``(x, y, angle)`` at times ``t`` of the translation, rotation and oscillation classes (None for
    the others), each drawing its parameters from ``rng``; an oscillation starts at a random phase or at 0
    (continuous with what came before)."""
    if name in _TRANSLATIONS:
        (dx, dy), speed = _TRANSLATIONS[name]
        v = rng.uniform(*speed) * unit
        return x + dx * v * t, y + dy * v * t, angle
    if name.startswith('rotate'):
        omega = rng.uniform(*ANGULAR_SPEED)
        # Angles grow counter-clockwise on screen.
        return x, y, angle + (omega if name == 'rotate_counterclockwise' else -omega) * t
    if name.startswith('oscillate'):
        amplitude = rng.uniform(*OSCILLATION_AMPLITUDE) * unit
        omega = 2 * np.pi / rng.uniform(*OSCILLATION_PERIOD)
        offset = amplitude * np.sin(omega * t + (rng.uniform(0, 2 * np.pi) if random_phase else 0.0))
        return (x + offset, y, angle) if name == 'oscillate_horizontal' else (x, y + offset, angle)
    return None


def torus_track(rng: np.random.Generator, label: int, num_frames: int, size: int) -> ActorTrack:
    """Sample the track of a classification actor of class ``label`` on a torus.

    Args:
        rng (np.random.Generator): source of randomness.
        label (int): index into :data:`MOTION_CLASSES`.
        num_frames (int): number of frames ``T``.
        size (int): side of the square frame in pixels; coordinates wrap at it.

    Returns:
        ActorTrack: positions in ``[0, size)``.
    """
    name = MOTION_CLASSES[label]
    unit = size / 112.0
    t = np.arange(num_frames, dtype=np.float64)
    x = np.full(num_frames, rng.uniform(0, size))
    y = np.full(num_frames, rng.uniform(0, size))
    angle = np.full(num_frames, rng.uniform(0, 2 * np.pi))
    log_lo, log_hi = LOG_SCALE_RANGE
    log_scale = np.full(num_frames, rng.uniform(log_lo, log_hi))

    moved = _move(rng, name, unit, t, x, y, angle, random_phase=True)
    if moved is not None:
        x, y, angle = moved
    elif name in ('approach', 'recede'):
        # A sawtooth in log-size with a random phase: uniform size in every frame.
        rate = rng.uniform(*SCALE_RATE) * (1 if name == 'approach' else -1)
        log_scale = log_lo + np.mod(log_scale - log_lo + rate * t, log_hi - log_lo)
    else:  # pragma: no cover - guarded by MOTION_CLASSES
        raise ValueError(f'unknown motion class {name!r}')
    return ActorTrack(np.mod(x, size), np.mod(y, size), angle, np.exp(log_scale))


def bounded_segment(rng: np.random.Generator, label: int, start_pose, length: int, width: int,
                    height: int, half_size, margin: float = 2.0):
    """Kinematics of one action segment for an actor that must stay in the frame.

    Starts from ``start_pose = (x, y, angle, scale)`` and returns the poses of
    the ``length`` frames of the segment as an :class:`ActorTrack`, or ``None``
    if this action would take the actor (its rotated box) out of the frame.
    """
    name = MOTION_CLASSES[label]
    unit = min(width, height) / 112.0
    x0, y0, a0, s0 = start_pose
    t = np.arange(1, length + 1, dtype=np.float64)
    x, y = np.full(length, x0), np.full(length, y0)
    angle, scale = np.full(length, a0), np.full(length, s0)
    moved = _move(rng, name, unit, t, x, y, angle, random_phase=False)
    if moved is not None:
        x, y, angle = moved
    else:  # approach / recede
        rate = rng.uniform(*SCALE_RATE) * (1 if name == 'approach' else -1)
        scale = s0 * np.exp(rate * t)
        if scale.max() > np.exp(LOG_SCALE_RANGE[1]) * 1.2 or scale.min() < np.exp(LOG_SCALE_RANGE[0]) / 1.2:
            return None
    track = ActorTrack(x, y, angle, scale)
    cos, sin = np.abs(np.cos(angle)), np.abs(np.sin(angle))
    ex = (cos * half_size[0] + sin * half_size[1]) * scale
    ey = (sin * half_size[0] + cos * half_size[1]) * scale
    inside = ((x - ex >= margin) & (x + ex <= width - margin) & (y - ey >= margin) & (y + ey <= height - margin))
    return track if inside.all() else None
