"""Linking frame detections into tubes: greedy (ACT, MultiSports), CSA's whole-video Viterbi and ours."""
import itertools

import numpy as np
import pytest

from helpers.tubes import tube
from mmaction_ext.evaluation.functional import (build_video_tubes, check_link_options, link_option_names,
                                                link_tubes_csa, link_tubes_greedy, link_tubes_viterbi, soft_suppress)
from mmaction_ext.structures import pairwise_box_iou


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


def spans(tubes):
    return sorted((int(t[0, 0]), int(t[-1, 0])) for _, t in tubes)


def test_soft_suppression_by_hand():
    """ACT's nms_tubelets (K=1), +1-pixel areas. B overlaps A by 90/110 > 0.6: its score becomes
    0.8 * (1 - 90/110). D overlaps A by 70/130 < 0.6 (kept) and B by 80/120, but B, once suppressed, is
    visited and suppresses nothing. C is far away."""
    boxes = np.array([[0, 0, 9, 9], [1, 0, 10, 9], [50, 50, 60, 60], [3, 0, 12, 9]], np.float64)
    kept, scores = soft_suppress(boxes, np.array([0.9, 0.8, 0.5, 0.7]), 0.6, top_k=None)
    assert kept.tolist() == [0, 3, 2, 1]
    np.testing.assert_allclose(scores, [0.9, 0.7, 0.5, 0.8 * (1 - 90 / 110)])
    assert soft_suppress(boxes, np.array([0.9, 0.8, 0.5, 0.7]), 0.6, top_k=2)[0].tolist() == [0, 3]
    assert soft_suppress(boxes, np.array([0.5, 0.5, 0.5, 0.5]), 0.99)[0].tolist() == [0, 1, 2, 3]  # ties: input order


def test_greedy_linking_ends_a_tube_at_one_missed_frame_and_drops_short_ones():
    rows = np.concatenate([tube(1, 20), tube(22, 40), tube(45, 58)])  # frame 21 missed; 45-58 is 14 frames
    tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.ones(len(rows)), min_length=15)
    assert spans(tubes) == [(1, 20), (22, 40)]
    assert spans(link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.ones(len(rows)), min_length=14)) == [
        (1, 20), (22, 40), (45, 58)]
    assert tubes[0][1].dtype == np.float32  # as the evaluators store them


def test_greedy_linking_drops_tubes_scoring_below_min_score():
    rows = np.concatenate([tube(1, 15), tube(1, 15, [50, 50, 60, 60])])
    scores = np.r_[np.full(15, 0.006), np.full(15, 0.004)]
    tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], scores)
    assert [round(score, 3) for score, _ in tubes] == [0.006]


def test_greedy_linking_gives_a_contested_box_to_the_better_tube():
    """Two tubes (mean scores 0.9 and 0.6) both overlap the one box of frame 16 by 8/12 >= 0.5: the
    better tube takes it, the other ends at frame 15."""
    x, y = tube(1, 15, [0, 0, 10, 10]), tube(1, 15, [4, 0, 14, 10])  # overlap 6/14 < 0.6: no suppression
    z = tube(16, 16, [2, 0, 12, 10])
    rows = np.concatenate([x, y, z])
    scores = np.r_[np.full(15, 0.9), np.full(15, 0.6), 0.5]
    tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], scores)
    by_score = {round(score, 4): (int(t[0, 0]), int(t[-1, 0])) for score, t in tubes}
    assert by_score == {round((0.9 * 15 + 0.5) / 16, 4): (1, 16), 0.6: (1, 15)}


def test_greedy_linking_ties_take_the_first_box_and_duplicates_start_tubes():
    """Frame 2 has two boxes of equal score, both overlapping the tube's box by 8/12 and each other by
    6/14 < 0.6: the first in input order extends the tube, the other starts a tube of its own."""
    last, p, q = [0, 0, 10, 10], [2, 0, 12, 10], [-2, 0, 8, 10]
    for first, second in ((p, q), (q, p)):
        rows = np.concatenate([tube(1, 1, last), tube(2, 2, first), tube(2, 2, second)])
        tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.r_[0.9, 0.5, 0.5], min_length=1)
        assert spans(tubes) == [(1, 2), (2, 2)]
        np.testing.assert_array_equal(max(tubes, key=len)[1][1, 1:5], first)


def test_greedy_linking_iou_follows_the_box_convention():
    """[0, 0, 2, 2] -> [1, 0, 3, 2]: IoU 2/6 without the +1 pixel (the tube breaks), 6/12 with it (links)."""
    rows = np.concatenate([tube(1, 1, [0, 0, 2, 2]), tube(2, 2, [1, 0, 3, 2])])
    assert spans(link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.ones(2), min_length=1, convention='voc')) == [
        (1, 1), (2, 2)]
    assert spans(link_tubes_greedy(rows[:, 0], rows[:, 1:5], np.ones(2), min_length=1, convention='act')) == [(1, 2)]


def test_greedy_duplicates_become_tubes_that_only_act_suppresses():
    """Soft suppression keeps a duplicate box (score 0.5 * (1 - 90/110)), so it runs as a tube of its own;
    ACT's 3D NMS (0.3) removes it, MultiSports (no 3D NMS) keeps it."""
    rows = np.concatenate([tube(1, 20, [0, 0, 9, 9]), tube(1, 20, [1, 0, 10, 9])])
    scores = np.r_[np.ones(20), np.full(20, 0.5)]
    tubes = link_tubes_greedy(rows[:, 0], rows[:, 1:5], scores)
    assert sorted(round(s, 4) for s, _ in tubes) == [round(0.5 * (1 - 90 / 110), 4), 1.0]
    dets = np.c_[np.zeros(40), rows[:, 0], np.zeros(40), scores, rows[:, 1:5]]
    assert len(build_video_tubes(dets, 1, 1, 'voc')[0]) == 2
    assert len(build_video_tubes(dets, 1, 1, 'act')[0]) == 1


def test_csa_linking_fills_empty_frames_from_the_nearest_and_trims_one_frame_late():
    """Detections on frames 2 and 4 of a 5-frame video: frame 1 copies frame 2, frame 3 copies frame 2
    (equally near: the earlier), frame 5 copies frame 4. Untrimmed: one tube over 1-5. Trimmed: 2 frames
    (as many as have detections) from the first frame *number* 2 used as a row index: frames 3-4."""
    a, b = [0, 0, 10, 10], [1, 1, 11, 11]
    rows = np.concatenate([tube(2, 2, a), tube(4, 4, b)])
    whole = link_tubes_csa(rows[:, 0], rows[:, 1:5], np.array([0.8, 0.6]), num_frames=5, trim=False)
    assert len(whole) == 1
    np.testing.assert_array_equal(whole[0][1][:, :5], [[1, *a], [2, *a], [3, *a], [4, *b], [5, *b]])
    assert whole[0][0] == pytest.approx((0.8 * 3 + 0.6 * 2) / 5)
    trimmed = link_tubes_csa(rows[:, 0], rows[:, 1:5], np.array([0.8, 0.6]), num_frames=5)
    np.testing.assert_array_equal(trimmed[0][1][:, :5], [[3, *a], [4, *b]])
    assert trimmed[0][0] == pytest.approx(0.7)
    # Detections on the last frame only: the cut starts past the video's end, and no tube is left.
    assert link_tubes_csa(np.array([5]), np.array([a]), np.array([0.9]), num_frames=5) == []
    assert len(link_tubes_csa(np.array([5]), np.array([a]), np.array([0.9]), num_frames=5, trim=False)) == 1


def test_csa_linking_stops_at_three_tubes_or_when_a_frame_runs_out():
    four = np.concatenate([tube(1, 6, [40 * k, 0, 40 * k + 10, 10]) for k in range(4)])
    scores = np.linspace(0.9, 0.5, len(four))
    options = dict(num_frames=6, trim=False, tube_nms_thr=None)
    assert len(link_tubes_csa(four[:, 0], four[:, 1:5], scores, **options)) == 3
    assert len(link_tubes_csa(four[:, 0], four[:, 1:5], scores, max_tubes=4, **options)) == 4
    thin = four[four[:, 0] != 3]  # frame 3 now has no box: it borrows frame 2's four
    assert len(link_tubes_csa(thin[:, 0], thin[:, 1:5], scores[four[:, 0] != 3], max_tubes=4, **options)) == 4
    one_at_3 = np.concatenate([thin, tube(3, 3)])
    assert len(link_tubes_csa(one_at_3[:, 0], one_at_3[:, 1:5], np.r_[scores[four[:, 0] != 3], 0.7], **options)) == 1


def test_csa_linking_finds_the_best_path_as_brute_force_does():
    """The first tube is the path through one box per frame with the largest sum of edge scores
    IoU + s_t + s_t+1 + 0.5 s_t s_t+1: checked against all 3^5 paths on random boxes."""
    rng = np.random.default_rng(0)
    for _ in range(5):
        corners = rng.uniform(0, 30, (5, 3, 2))
        boxes = np.concatenate([corners, corners + rng.uniform(5, 20, (5, 3, 2))], -1)
        scores = rng.uniform(0, 1, (5, 3))
        frames = np.repeat(np.arange(1, 6), 3)
        tubes = link_tubes_csa(frames, boxes.reshape(-1, 4), scores.reshape(-1), 5, max_tubes=1, trim=False)

        def total(path):
            s = scores[np.arange(5), path]
            return sum(pairwise_box_iou(boxes[t, path[t]][None], boxes[t + 1, path[t + 1]][None])[0, 0] +
                       s[t] + s[t + 1] + 0.5 * s[t] * s[t + 1] for t in range(4))

        best = max(itertools.product(range(3), repeat=5), key=total)
        np.testing.assert_allclose(tubes[0][1][:, 1:5], boxes[np.arange(5), best], rtol=1e-6)


def test_csa_linking_suppresses_overlapping_whole_video_tubes():
    """Two actors overlapping by 90/110 in every frame: the second whole-video tube has ST-IoU 0.82 > 0.3
    with the first and goes; a distant third stays."""
    rows = np.concatenate([tube(1, 4, [0, 0, 9, 9]), tube(1, 4, [1, 0, 10, 9]), tube(1, 4, [50, 50, 60, 60])])
    scores = np.r_[np.full(4, 0.9), np.full(4, 0.8), np.full(4, 0.3)]
    kept = link_tubes_csa(rows[:, 0], rows[:, 1:5], scores, 4, trim=False)
    assert sorted(round(s, 4) for s, _ in kept) == [0.3, 0.9]
    assert len(link_tubes_csa(rows[:, 0], rows[:, 1:5], scores, 4, trim=False, tube_nms_thr=None)) == 3
    with pytest.raises(ValueError, match="frames 1-4 outside the video's 1-3"):
        link_tubes_csa(rows[:, 0], rows[:, 1:5], scores, 3)
    with pytest.raises(ValueError, match="linking 'csa' links whole videos: give num_frames"):
        build_video_tubes(np.c_[np.zeros(12), rows[:, 0], np.zeros(12), scores, rows[:, 1:5]], 1, 1, 'csa')


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
    assert 'num_frames' not in link_option_names('csa') and 'trim' in link_option_names('csa')
