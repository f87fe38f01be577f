"""FocusVideo's head: fusion variants (Table 3e) and query supervision (Table 3f)."""
import numpy as np
import pytest
import torch
from mmaction.structures import ActionDataSample

from mmaction_ext.models.heads import FocusVideoHead


def _feats(n=4, t=2, k=3, c=8):
    torch.manual_seed(0)
    return torch.randn(n, c), torch.randn(n, t, c), torch.randn(n, t, k, c, requires_grad=True)


def _samples(labels, targets=None):
    samples = []
    for i, label in enumerate(labels):
        sample = ActionDataSample().set_gt_label(label)
        sample.set_metainfo(dict(filename=f'video_{i}.mp4'))
        if targets is not None:
            sample.recon_target = targets[i]
        samples.append(sample)
    return samples


def test_add_fusion_is_the_sum_of_pooled_features():
    head = FocusVideoHead(5, 8, dropout_ratio=0.0).eval()
    video, frames, queries = _feats()
    expected = head.fc_cls(video + queries.mean(dim=(1, 2)))
    assert torch.allclose(head((video, frames, queries)), expected)
    assert torch.allclose(head((video, frames)), head.fc_cls(video))  # the global branch alone (M1)


@pytest.mark.parametrize('fusion', ['concat_linear', 'linear_add'])
def test_other_fusions(fusion):
    head = FocusVideoHead(5, 8, fusion=fusion)
    assert head(_feats()).shape == (4, 5)


def test_supervision_losses():
    feats = _feats()
    labels = [0, 1, 0, 2]
    for supervision, key in [('none', None), ('cls', 'loss_query_cls'), ('recon_online', 'loss_recon')]:
        losses = FocusVideoHead(5, 8, query_supervision=supervision).loss(feats, _samples(labels))
        assert 'loss_cls' in losses and (key is None or torch.isfinite(losses[key]))
    targets = [np.random.rand(2, 6).astype(np.float32) for _ in labels]
    head = FocusVideoHead(5, 8, query_supervision='recon_offline', recon_channels=6)
    losses = head.loss(feats, _samples(labels, targets))
    losses['loss_recon'].backward()
    assert feats[2].grad is not None and feats[2].grad.abs().sum() > 0


def test_online_targets_detached_by_default():
    video, frames, queries = _feats()
    frames.requires_grad_(True)
    FocusVideoHead(5, 8, query_supervision='recon_online').loss((video, frames, queries),
                                                                _samples([0, 1, 2, 3]))['loss_recon'].backward()
    assert frames.grad is None
    FocusVideoHead(5, 8, query_supervision='recon_online', online_target_detach=False).loss(
        (video, frames, queries), _samples([0, 1, 2, 3]))['loss_recon'].backward()
    assert frames.grad is not None


def test_missing_offline_target_and_wrong_setup_are_named():
    head = FocusVideoHead(5, 8, query_supervision='recon_offline')
    with pytest.raises(KeyError, match='recon_target .* for video_0.mp4'):
        head.loss(_feats(), _samples([0, 1, 2, 3]))
    with pytest.raises(ValueError, match='needs action queries'):
        head.loss(_feats()[:2], _samples([0, 1, 2, 3]))
    with pytest.raises(ValueError, match="query_supervision='recon'"):
        FocusVideoHead(5, 8, query_supervision='recon')
