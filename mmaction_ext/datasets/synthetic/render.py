"""Drawing primitives of the motion demo: textures, a scrolling background, sprites.

Everything works on a torus (coordinates wrap at the frame border) unless a
caller keeps its objects inside the frame, so that the position of an object in
any single frame can be made uniformly distributed.
"""
import numpy as np


def smooth_noise_texture(rng: np.random.Generator, height: int, width: int, cell: int,
                         contrast: float = 0.35) -> np.ndarray:
    """A periodic RGB texture of smooth colour blobs, ``(height, width, 3)`` float in [0, 1].

    Random colours in ``0.5 +- contrast`` on a coarse grid of ``cell``-pixel
    cells, bilinearly upsampled with wrap-around so that the texture tiles
    seamlessly.
    """
    gh, gw = max(1, height // cell), max(1, width // cell)
    grid = rng.uniform(0.5 - contrast, 0.5 + contrast, size=(gh, gw, 3))
    ys = np.arange(height) * gh / height
    xs = np.arange(width) * gw / width
    y0, x0 = np.floor(ys).astype(int), np.floor(xs).astype(int)
    fy, fx = (ys - y0)[:, None, None], (xs - x0)[None, :, None]
    y1, x1 = (y0 + 1) % gh, (x0 + 1) % gw
    top = grid[y0][:, x0] * (1 - fx) + grid[y0][:, x1] * fx
    bottom = grid[y1][:, x0] * (1 - fx) + grid[y1][:, x1] * fx
    return top * (1 - fy) + bottom * fy


def sprite_pattern(rng: np.random.Generator, size: int = 32) -> np.ndarray:
    """A high-contrast pattern for an actor, ``(size, size, 3)`` float in [0, 1].

    Two saturated colours in stripes plus a marked corner quadrant, so that the
    orientation of the sprite (hence rotation) is visible.
    """
    colours = rng.uniform(0, 1, size=(2, 3))
    colours[0] = np.where(colours[0] > 0.5, 0.95, 0.05)  # saturate one colour fully
    colours[1] = 1.0 - colours[0] * rng.uniform(0.6, 1.0)
    period = int(rng.integers(4, 9))
    yy, xx = np.mgrid[0:size, 0:size]
    stripes = ((xx // max(1, period // 2)) % 2).astype(bool)
    pattern = np.where(stripes[..., None], colours[0], colours[1])
    corner = (yy < size // 3) & (xx < size // 3)
    pattern[corner] = 1.0 - pattern[corner]
    return pattern


def torus_offsets(size: int, centre: float) -> np.ndarray:
    """Signed offsets of pixel centres from ``centre`` on a circle of ``size`` pixels."""
    return (np.arange(size) + 0.5 - centre + size / 2) % size - size / 2


def draw_sprite(canvas: np.ndarray, pattern: np.ndarray, centre, half_size, angle: float,
                wrap: bool = True, ellipse: bool = False) -> None:
    """Paint a rotated, textured rectangle (or ellipse) onto ``canvas`` in place.

    Args:
        canvas (np.ndarray): ``(H, W, 3)`` float image.
        pattern (np.ndarray): ``(P, P, 3)`` texture mapped onto the shape.
        centre (tuple[float, float]): ``(x, y)`` of the shape's centre in pixels.
        half_size (tuple[float, float]): half width and half height before rotation.
        angle (float): rotation in radians, counter-clockwise on screen.
        wrap (bool): whether coordinates wrap at the border (torus).
        ellipse (bool): draw an ellipse instead of a rectangle.
    """
    height, width = canvas.shape[:2]
    cx, cy = centre
    if wrap:
        dx = torus_offsets(width, cx)
        dy = torus_offsets(height, cy)
    else:
        dx = np.arange(width) + 0.5 - cx
        dy = np.arange(height) + 0.5 - cy
    # Only the rows and columns within the shape's circumscribed circle can be inside it: the same pixels, each
    # computed as over the whole canvas, at a fraction of the cost.
    reach = np.hypot(half_size[0], half_size[1])
    cols, rows = np.flatnonzero(np.abs(dx) <= reach), np.flatnonzero(np.abs(dy) <= reach)
    if not len(cols) or not len(rows):
        return
    dx, dy = dx[cols][None, :], dy[rows][:, None]
    cos, sin = np.cos(angle), np.sin(angle)
    # Screen y points down, so a counter-clockwise rotation on screen uses -angle here.
    u = (cos * dx - sin * dy) / half_size[0]
    v = (sin * dx + cos * dy) / half_size[1]
    inside = (u**2 + v**2 <= 1.0) if ellipse else ((np.abs(u) <= 1.0) & (np.abs(v) <= 1.0))
    if not inside.any():
        return
    p = pattern.shape[0]
    pu = np.clip(((u + 1) * 0.5 * p).astype(int), 0, p - 1)
    pv = np.clip(((v + 1) * 0.5 * p).astype(int), 0, p - 1)
    ys, xs = np.nonzero(inside)
    canvas[rows[ys], cols[xs]] = pattern[pv[ys, xs], pu[ys, xs]]


def sprite_bbox(centre, half_size, angle: float, height: int, width: int):
    """Axis-aligned box ``(x1, y1, x2, y2)`` of a rotated rectangle, clipped to the frame."""
    cos, sin = abs(np.cos(angle)), abs(np.sin(angle))
    ex = cos * half_size[0] + sin * half_size[1]
    ey = sin * half_size[0] + cos * half_size[1]
    cx, cy = centre
    return (max(0.0, cx - ex), max(0.0, cy - ey), min(float(width), cx + ex), min(float(height), cy + ey))


def to_uint8(canvas: np.ndarray) -> np.ndarray:
    return np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8)
