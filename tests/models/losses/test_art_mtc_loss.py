"""ART's multi-level tracklet contrastive loss against loop oracles of eqs. 5-7."""
import itertools

import pytest
import torch
import torch.nn.functional as F

from mmaction_ext.models.losses import MultiLevelTrackletContrastiveLoss


def _cos(a, b):
    return float(F.cosine_similarity(a, b, dim=0))


def _oracle(r, correlation, mode):
    """Eqs. 5-7 written as loops over one video at a time, batch-averaged."""
    spatial, temporal, tracklet = [], [], []
    for video in r:  # (T, K, d)
        t_len, k_len, _ = video.shape
        spatial.append(sum(_cos(video[t, i], video[t, j]) for t in range(t_len)
                           for i, j in itertools.permutations(range(k_len), 2)) / (t_len * k_len * (k_len - 1)))
        pairs = [_cos(video[t, i], video[t + 1, i]) for i in range(k_len) for t in range(t_len - 1)]
        if mode == 'hinge':
            temporal.append(sum(max(0.0, correlation - c) for c in pairs) / len(pairs))
        elif mode == 'abs':
            temporal.append(sum(abs(c - correlation) for c in pairs) / len(pairs))
        else:
            temporal.append(sum(pairs) / (t_len - 1) - correlation)
        tracks = video.transpose(0, 1).reshape(k_len, -1)
        tracklet.append(sum(_cos(tracks[i], tracks[j]) for i, j in itertools.permutations(range(k_len), 2))
                        / (k_len * (k_len - 1)))
    mean = lambda values: sum(values) / len(values)  # noqa: E731
    return mean(spatial), mean(temporal), mean(tracklet)


@pytest.mark.parametrize('mode', ['hinge', 'abs', 'literal'])
def test_terms_match_the_loop_oracle(mode):
    torch.manual_seed(0)
    responses = torch.randn(3, 5, 3, 8)
    loss = MultiLevelTrackletContrastiveLoss(temporal_mode=mode, correlation=0.6, loss_weight=2.0)
    out = loss(responses)
    spatial, temporal, tracklet = _oracle(responses, 0.6, mode)
    assert out['loss_mtc_spatial'].item() == pytest.approx(2 * spatial, abs=1e-5)
    assert out['loss_mtc_temporal'].item() == pytest.approx(2 * temporal, abs=1e-5)
    assert out['loss_mtc_tracklet'].item() == pytest.approx(2 * tracklet, abs=1e-5)


def test_lambda_changes_the_hinge_gradient_but_not_the_literal_one():
    torch.manual_seed(1)
    responses = torch.randn(2, 4, 2, 6)

    def grad(mode, correlation):
        r = responses.clone().requires_grad_(True)
        loss = MultiLevelTrackletContrastiveLoss(spatial=False, tracklet=False, temporal_mode=mode,
                                                 correlation=correlation)
        loss(r)['loss_mtc_temporal'].backward()
        return r.grad

    assert not torch.allclose(grad('hinge', 0.2), grad('hinge', 0.9))
    # As printed, eq. 6's "- lambda" is a constant: no gradient depends on it (the reason for the default).
    assert torch.allclose(grad('literal', 0.2), grad('literal', 0.9))


def test_hinge_attracts_adjacent_frames_and_the_literal_form_repels_them():
    torch.manual_seed(2)
    responses = torch.randn(1, 6, 2, 16, requires_grad=True)
    for mode, sign in (('hinge', 1), ('literal', -1)):
        loss = MultiLevelTrackletContrastiveLoss(spatial=False, tracklet=False, temporal_mode=mode, correlation=0.9)
        r = responses.detach().clone().requires_grad_(True)
        loss(r)['loss_mtc_temporal'].backward()
        stepped = r - 0.5 * r.grad
        before = F.cosine_similarity(r[:, :-1], r[:, 1:], dim=-1).mean()
        after = F.cosine_similarity(stepped[:, :-1], stepped[:, 1:], dim=-1).mean()
        assert sign * (after - before) > 0, mode


def test_switches_single_region_and_bad_shape():
    responses = torch.randn(2, 3, 1, 4)
    out = MultiLevelTrackletContrastiveLoss(temporal=False)(responses)
    assert set(out) == {'loss_mtc_spatial', 'loss_mtc_tracklet'}
    assert out['loss_mtc_spatial'].item() == 0 and out['loss_mtc_tracklet'].item() == 0  # K = 1: no pairs
    assert MultiLevelTrackletContrastiveLoss(spatial=False)(torch.randn(2, 1, 2, 4))['loss_mtc_temporal'] == 0
    with pytest.raises(ValueError, match=r'\(N, T, K, d\)'):
        MultiLevelTrackletContrastiveLoss()(torch.randn(3, 4, 5))
    with pytest.raises(ValueError, match='temporal_mode'):
        MultiLevelTrackletContrastiveLoss(temporal_mode='cosine')


def test_hand_computed_case():
    """T = 2, K = 2, d = 2: r_1 = ((1, 0), (1, 0)), r_2 = ((0, 1), (1, 1)), lambda 0.6.
    Eq. 5: frame 1 cos 1 (twice), frame 2 cos 1/sqrt(2) (twice): (2 + sqrt(2)) / (T K (K - 1) = 4) = 0.85355.
    Eq. 6 as printed: (1/(T-1)) sum_k sum_t cos(r_t,k, r_t+1,k) - lambda = (0 + 1/sqrt(2)) - 0.6 = 0.10711; the hinge
    form: mean(max(0, 0.6 - 0), max(0, 0.6 - 0.70711)) = 0.3; the abs form: mean(0.6, 0.10711) = 0.35355.
    Eq. 7: tracklets (1, 0, 0, 1) and (1, 0, 1, 1), cos 2 / sqrt(6) = 0.81650 (twice, over K (K - 1) = 2)."""
    responses = torch.tensor([[[[1., 0.], [1., 0.]], [[0., 1.], [1., 1.]]]])  # (N, T, K, d)
    expected = dict(hinge=0.3, abs=0.35355, literal=0.10711)
    for mode, temporal in expected.items():
        losses = MultiLevelTrackletContrastiveLoss(temporal_mode=mode, correlation=0.6, loss_weight=1.0)(responses)
        assert float(losses['loss_mtc_spatial']) == pytest.approx(0.85355, abs=1e-4)
        assert float(losses['loss_mtc_temporal']) == pytest.approx(temporal, abs=1e-4)
        assert float(losses['loss_mtc_tracklet']) == pytest.approx(0.81650, abs=1e-4)
