"""The motion demo's classes differ only in motion: per-frame statistics are class-independent."""
import numpy as np
import pytest
from scipy import stats

from mmaction_ext.datasets.synthetic import MOTION_CLASSES, torus_track
from mmaction_ext.datasets.synthetic.motions import LOG_SCALE_RANGE
from mmaction_ext.datasets.synthetic.render import draw_sprite, sprite_bbox

SIZE, FRAMES, PER_CLASS = 112, 32, 300


def _tracks():
    return {label: [torus_track(np.random.default_rng([7, label, i]), label, FRAMES, SIZE) for i in range(PER_CLASS)]
            for label in range(len(MOTION_CLASSES))}


@pytest.fixture(scope='module')
def tracks():
    return _tracks()


def _pose(track, frame):
    # Everything a single frame shows of the actor; background, distractors and the actor's
    # pattern are drawn independently of the class.
    return np.array([track.x[frame], track.y[frame], np.mod(track.angle[frame], 2 * np.pi),
                     np.log(track.scale[frame])])


@pytest.mark.parametrize('frame', [0, FRAMES // 2, FRAMES - 1])
def test_single_frame_pose_is_uniform_for_every_class(tracks, frame):
    lows = [0, 0, 0, LOG_SCALE_RANGE[0]]
    widths = [SIZE, SIZE, 2 * np.pi, LOG_SCALE_RANGE[1] - LOG_SCALE_RANGE[0]]
    for label, items in tracks.items():
        poses = np.stack([_pose(t, frame) for t in items])
        for dim in range(4):
            p = stats.kstest(poses[:, dim], 'uniform', args=(lows[dim], widths[dim])).pvalue
            assert p > 1e-4, f'{MOTION_CLASSES[label]}: pose dim {dim} at frame {frame} is not uniform (p={p:.2g})'


def _histogram_classifier_accuracy(features_train, labels_train, features_test, labels_test, bins=4):
    """A per-cell majority vote on binned features: Bayes-optimal on the bins, no model bias."""
    edges = [np.quantile(features_train[:, d], np.linspace(0, 1, bins + 1)[1:-1]) for d in range(features_train.shape[1])]

    def cells(features):
        codes = np.zeros(len(features), np.int64)
        for d, e in enumerate(edges):
            codes = codes * bins + np.searchsorted(e, features[:, d])
        return codes

    train_cells, test_cells = cells(features_train), cells(features_test)
    num_classes = labels_train.max() + 1
    counts = np.zeros((bins**features_train.shape[1], num_classes))
    np.add.at(counts, (train_cells, labels_train), 1)
    return float((counts[test_cells].argmax(1) == labels_test).mean())


def test_per_frame_classifier_is_at_chance_but_motion_classifier_is_not(tracks):
    rng = np.random.default_rng(0)
    frame_features, motion_features, labels = [], [], []
    for label, items in tracks.items():
        for track in items:
            t = int(rng.integers(0, FRAMES - 4))
            frame_features.append(_pose(track, t))
            # The same information from two frames: what changed.
            dx = (track.x[t + 4] - track.x[t] + SIZE / 2) % SIZE - SIZE / 2
            dy = (track.y[t + 4] - track.y[t] + SIZE / 2) % SIZE - SIZE / 2
            motion_features.append([dx, dy, track.angle[t + 4] - track.angle[t],
                                    np.log(track.scale[t + 4] / track.scale[t])])
            labels.append(label)
    frame_features, motion_features, labels = map(np.asarray, (frame_features, motion_features, labels))
    order = rng.permutation(len(labels))
    train, test = order[:len(order) // 2], order[len(order) // 2:]
    chance = 1 / len(MOTION_CLASSES)
    frame_acc = _histogram_classifier_accuracy(frame_features[train], labels[train], frame_features[test], labels[test])
    motion_acc = _histogram_classifier_accuracy(motion_features[train], labels[train], motion_features[test],
                                                labels[test])
    assert frame_acc < chance + 0.04, f'single frames predict the class: {frame_acc:.3f}'
    # Coarse bins on one 4-frame step cannot separate everything (an oscillation looks like a
    # translation over 4 frames, speeds overlap in a bin), but they are far above chance.
    assert motion_acc > 3 * chance, f'motion does not predict the class: {motion_acc:.3f}'


@pytest.mark.parametrize('name, dx, dy', [('move_right_slow', 1, 0), ('move_right_fast', 1, 0), ('move_left_slow', -1, 0),
                                          ('move_left_fast', -1, 0), ('move_up', 0, -1), ('move_down', 0, 1)])
def test_translation_directions(name, dx, dy):
    track = torus_track(np.random.default_rng(0), MOTION_CLASSES.index(name), FRAMES, SIZE)
    step_x = (np.diff(track.x) + SIZE / 2) % SIZE - SIZE / 2
    step_y = (np.diff(track.y) + SIZE / 2) % SIZE - SIZE / 2
    assert np.all(np.sign(np.round(step_x, 6)) == dx) and np.all(np.sign(np.round(step_y, 6)) == dy)


def test_fast_is_faster_than_slow():
    speeds = {}
    for name in ('move_right_slow', 'move_right_fast'):
        steps = [np.abs((np.diff(torus_track(np.random.default_rng(i), MOTION_CLASSES.index(name), 8, SIZE).x) +
                         SIZE / 2) % SIZE - SIZE / 2).mean() for i in range(50)]
        speeds[name] = (min(steps), max(steps))
    assert speeds['move_right_slow'][1] < speeds['move_right_fast'][0]


def test_counterclockwise_rotation_on_screen():
    """A marker in the top-left corner of the sprite goes to the bottom-left after +90 degrees."""
    pattern = np.zeros((4, 4, 3))
    pattern[:2, :2] = 1.0  # top-left quadrant
    canvas = np.zeros((40, 40, 3))
    draw_sprite(canvas, pattern, (20, 20), (10, 10), np.pi / 2, wrap=False)
    lit = canvas[..., 0] > 0.5
    ys, xs = np.nonzero(lit)
    assert xs.mean() < 20 and ys.mean() > 20, (xs.mean(), ys.mean())
    track = torus_track(np.random.default_rng(0), MOTION_CLASSES.index('rotate_counterclockwise'), 8, SIZE)
    assert np.all(np.diff(track.angle) > 0)
    track = torus_track(np.random.default_rng(0), MOTION_CLASSES.index('rotate_clockwise'), 8, SIZE)
    assert np.all(np.diff(track.angle) < 0)


@pytest.mark.parametrize('name, sign', [('approach', 1), ('recede', -1)])
def test_size_changes_monotonically_between_wraps(name, sign):
    track = torus_track(np.random.default_rng(3), MOTION_CLASSES.index(name), FRAMES, SIZE)
    steps = np.diff(np.log(track.scale))
    wraps = np.abs(steps) > 0.2  # the sawtooth's jump back
    assert wraps.sum() <= 1
    assert np.all(np.sign(steps[~wraps]) == sign)


@pytest.mark.parametrize('angle', [0.0, 0.3, np.pi / 4, 2.0])
def test_sprite_bbox_encloses_the_drawn_pixels(angle):
    canvas = np.zeros((60, 80, 3))
    draw_sprite(canvas, np.ones((4, 4, 3)), (40.0, 30.0), (12.0, 7.0), angle, wrap=False)
    ys, xs = np.nonzero(canvas[..., 0])
    x1, y1, x2, y2 = sprite_bbox((40.0, 30.0), (12.0, 7.0), angle, 60, 80)
    # Pixel centres lie inside the analytic box, and the box is tight to within a pixel.
    assert x1 <= xs.min() + 0.5 and xs.max() + 0.5 <= x2 and y1 <= ys.min() + 0.5 and ys.max() + 0.5 <= y2
    assert xs.min() + 0.5 - x1 < 1.5 and x2 - xs.max() - 0.5 < 1.5
    assert ys.min() + 0.5 - y1 < 1.5 and y2 - ys.max() - 0.5 < 1.5
