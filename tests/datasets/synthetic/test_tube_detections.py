"""Seeded perturbed detections around ground-truth tubes (the evaluators' parity fixture)."""
import numpy as np

from helpers.tubes import tube
from mmaction_ext.datasets.synthetic import perturbed_tube_detections, ucf24_test_subset


def test_detections_are_seeded_valid_and_distinct():
    gttubes = {'a': {0: [tube(3, 40, [10, 10, 50, 80])]}, 'b': {2: [tube(1, 30, [100, 20, 160, 120])]}}
    nframes = {'a': 45, 'b': 30}
    dets = perturbed_tube_detections(gttubes, ['a', 'b'], nframes, 3, seed=1)
    np.testing.assert_array_equal(dets, perturbed_tube_detections(gttubes, ['a', 'b'], nframes, 3, seed=1))
    assert not np.array_equal(dets, perturbed_tube_detections(gttubes, ['a', 'b'], nframes, 3, seed=2))
    assert dets.shape[1] == 8 and len(np.unique(dets[:, 3])) == len(dets)
    assert set(np.unique(dets[:, 0])) == {0, 1} and set(np.unique(dets[:, 2])) <= {0, 1, 2}
    for video, index in (('a', 0), ('b', 1)):
        frames = dets[dets[:, 0] == index, 1]
        assert frames.min() >= 1 and frames.max() <= nframes[video]
    assert (dets[:, 6] > dets[:, 4]).all() and (dets[:, 7] > dets[:, 5]).all()
    # Without perturbations but the jitter, every ground-truth box is detected once, in its class.
    clean = perturbed_tube_detections(gttubes, ['a', 'b'], nframes, 3, jitter=0.0, miss_rate=0, confusion_rate=0,
                                      duplicate_rate=0, extend_rate=0, false_tracks_per_video=0, stray_rate=0)
    first, second = tube(3, 40, [10, 10, 50, 80]), tube(1, 30, [100, 20, 160, 120])
    expected = np.r_[np.c_[np.zeros(38), first[:, :1], np.zeros(38), first[:, 1:]],
                     np.c_[np.ones(30), second[:, :1], np.full(30, 2), second[:, 1:]]]
    np.testing.assert_array_equal(clean[:, [0, 1, 2, 4, 5, 6, 7]], expected)


def test_ucf24_subset_takes_the_first_videos_of_each_class():
    annos = dict(test_videos=[['x1', 'y1', 'x2', 'x3', 'y2']], gttubes={
        'x1': {1: []}, 'y1': {0: []}, 'x2': {1: []}, 'x3': {1: []}, 'y2': {0: []}})
    assert ucf24_test_subset(annos, 2) == ['y1', 'y2', 'x1', 'x2']
