"""Linking frame detections into tubes: Viterbi (CSA / YOWO) and greedy (ACT)."""
import numpy as np
import pytest

from helpers.tubes import tube
from mmaction_ext.evaluation.functional import (build_video_tubes, check_link_options, link_option_names,
                                                link_tubes_greedy, link_tubes_viterbi)


def test_viterbi_links_overlapping_same_class_actors_into_their_own_tubes():
    a, b = tube(1, 24, [0, 0, 10, 10]), tube(4, 27, [40, 0, 50, 10])
    noise = np.array([[12, 80, 80, 90, 90]], np.float32)  # a lone low-scored box elsewhere
    rows = np.concatenate([a, b, noise])
    scores = np.r_[np.full(len(a) + len(b), 0.9), 0.1]
    tubes = link_tubes_viterbi(rows[:, 0], rows[:, 1:5], scores, min_length=1)
    spans = sorted((int(t[0, 0]), int(t[-1, 0])) for _, t in tubes)
    assert spans == [(1, 24), (4, 27), (12, 12)]
    scores_by_span = {(int(t[0, 0]), int(t[-1, 0])): s for s, t in tubes}
    assert scores_by_span[(1, 24)] == pytest.approx(0.9) and scores_by_span[(12, 12)] == pytest.approx(0.1)


def test_viterbi_prefers_the_consistent_path_over_high_scored_jumps():
    # A steady actor (score 0.6) and a high-scored box (0.9) that jumps around every frame.
    steady = tube(1, 6)
    jumpy = np.array([[f, 30 * (f % 2), 30, 30 * (f % 2) + 10, 40] for f in range(1, 7)], np.float32)
    rows = np.concatenate([steady, jumpy])
    scores = np.r_[np.full(6, 0.6), np.full(6, 0.9)]
    tubes = link_tubes_viterbi(rows[:, 0], rows[:, 1:5], scores, max_tubes=1)
    np.testing.assert_allclose(tubes[0][1][:, 1:5], steady[:, 1:5])


def test_greedy_linking_drops_short_tubes_and_ends_at_gaps():
    rows = np.concatenate([tube(1, 20), tube(22, 25)])
    tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.ones(len(rows)), min_length=15)
    assert [(int(t[0, 0]), int(t[-1, 0])) for _, t in tubes] == [(1, 20)]


def test_greedy_linking_suppresses_duplicates_per_frame():
    """Per-frame 2D NMS (frame_nms_thr) before linking: a duplicate box overlapping by 0.82 does not start a
    second tube unless the threshold is raised above its IoU."""
    rows = np.concatenate([tube(1, 20), tube(1, 20, [1, 0, 11, 10])])
    scores = np.r_[np.ones(20), np.full(20, 0.5)]
    assert len(link_tubes_greedy(rows[:, 0], rows[:, 1:5], scores, min_length=15)) == 1
    assert len(link_tubes_greedy(rows[:, 0], rows[:, 1:5], scores, min_length=15, frame_nms_thr=0.9)) == 2


def test_link_options_are_checked_by_name():
    assert 'frame_nms_thr' in link_option_names('greedy') and 'max_gap' in link_option_names('viterbi')
    assert not {'frames', 'boxes', 'scores', 'convention'} & set(link_option_names('viterbi'))
    check_link_options('viterbi', dict(max_gap=2, min_length=3))
    with pytest.raises(ValueError, match="unknown 'viterbi' link option 'max_gapp'; did you mean 'max_gap'"):
        check_link_options('viterbi', dict(max_gapp=2))
    with pytest.raises(ValueError, match="link option 'nms_thr'; did you mean 'frame_nms_thr'"):
        check_link_options('greedy', dict(nms_thr=0.5))
    with pytest.raises(ValueError, match="unknown linking 'hungarian'"):
        check_link_options('hungarian', {})
    with pytest.raises(ValueError, match="'frame_nms_thr'"):  # a greedy option given to the Viterbi linker
        build_video_tubes(np.zeros((0, 8)), 1, 1, linking='viterbi', frame_nms_thr=0.5)
