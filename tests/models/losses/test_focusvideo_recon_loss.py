"""FocusVideo's reconstruction contrastive loss against a loop over eqs. 16-18."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmaction_ext.models.losses import ReconstructionContrastiveLoss


def oracle(queries, targets, labels, tau):
    """Eqs. 16-18 written out per sample, frame and query."""

    def c(a, x):  # a (K, D), x (D,)
        cos = [float(F.cosine_similarity(a[k], x, dim=0)) for k in range(a.shape[0])]
        z = sum(math.exp(s / tau) for s in cos)
        return sum(math.exp(s / tau) / z * s for s in cos)

    total = 0.0
    for n in range(queries.shape[0]):
        for t in range(queries.shape[1]):
            positive = math.exp(c(queries[n, t], targets[n, t]) / tau)
            negatives = sum(math.exp(c(queries[n, t], targets[m, t]) / tau)
                            for m in range(queries.shape[0]) if labels[m] != labels[n])
            total += -math.log(positive / (positive + negatives))
    return total / queries.shape[0]


@pytest.mark.parametrize('tau', [0.1, 0.5])
def test_matches_the_equations(tau):
    torch.manual_seed(0)
    queries, targets = torch.randn(5, 3, 4, 6), torch.randn(5, 3, 6)
    labels = torch.tensor([0, 1, 0, 2, 1])
    loss = ReconstructionContrastiveLoss(temperature=tau)(queries, targets, labels)
    assert float(loss) == pytest.approx(oracle(queries, targets, labels, tau), rel=1e-5)


def test_one_hot_labels_and_weight():
    torch.manual_seed(0)
    queries, targets = torch.randn(4, 2, 3, 5), torch.randn(4, 2, 5)
    labels = torch.tensor([0, 1, 1, 2])
    plain = ReconstructionContrastiveLoss()(queries, targets, labels)
    weighted = ReconstructionContrastiveLoss(loss_weight=2.0)(queries, targets, F.one_hot(labels, 3).float())
    assert torch.allclose(weighted, 2 * plain)


def test_a_batch_without_negatives_gives_zero():
    queries = torch.randn(3, 2, 4, 5, requires_grad=True)
    loss = ReconstructionContrastiveLoss()(queries, torch.randn(3, 2, 5), torch.tensor([1, 1, 1]))
    assert torch.isfinite(loss) and loss.item() == 0.0
    loss.backward()
    assert torch.all(queries.grad == 0)


def test_gradient_pulls_queries_to_their_target():
    torch.manual_seed(0)
    queries = torch.randn(4, 2, 3, 8, requires_grad=True)
    targets, labels = torch.randn(4, 2, 8), torch.tensor([0, 1, 2, 3])
    loss_fn = ReconstructionContrastiveLoss()
    before = float(loss_fn(queries, targets, labels))
    optimizer = torch.optim.SGD([queries], lr=0.5)
    for _ in range(20):
        optimizer.zero_grad()
        loss_fn(queries, targets, labels).backward()
        optimizer.step()
    assert float(loss_fn(queries, targets, labels)) < 0.5 * before


def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r'got \(2, 3, 4, 5\) and \(2, 4, 5\)'):
        ReconstructionContrastiveLoss()(torch.randn(2, 3, 4, 5), torch.randn(2, 4, 5), torch.tensor([0, 1]))
