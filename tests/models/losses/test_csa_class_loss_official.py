"""CSA's class loss as the released training code computes it per dataset, on hand-computed cases:
AVA's targets smoothed to 0.95 / 0.05 and summed over the batch; JHMDB's scored on the real frames only, divided by
their number; UCF101-24's over every frame (padding included) divided by the frame count."""
import pytest
import torch

from mmaction_ext.models.losses import CSACriterion
from mmaction_ext.models.losses.csa_criterion import FrameTargets

GT_BOX = torch.tensor([0.5, 0.5, 0.2, 0.4])  # cx, cy, w, h
FAR_BOX = torch.tensor([0.1, 0.1, 0.05, 0.05])


def _criterion(**kwargs):
    return CSACriterion(num_classes=2, loss_weights=dict(cls=1.0), matched_class_weight=10.0, **kwargs)


def test_ava_class_loss_binary_smoothing_summed():
    """Two queries, one actor of class 0 matched by query 0. Logits (0, 2) -> targets (0.95, 0.05) at weight 10,
    logits (-1, 0) -> (0.05, 0.05) at weight 1. Focal elements (alpha 0.25, gamma 2): 0.4765, 10.4361 | 0.0225,
    0.1256; per query the class mean; summed: 5.4563 + 0.0740 = 5.5304."""
    criterion = _criterion(label_smoothing=0.1, label_smoothing_mode='binary', cls_normalizer='none',
                           class_on_actor=False)
    class_logits = torch.tensor([[[0., 2.], [-1., 0.]]])  # (F=1, Q=2, C=2)
    boxes = torch.stack([GT_BOX, FAR_BOX])[None]
    actor_logits = torch.zeros(1, 2, 3)
    targets = FrameTargets([GT_BOX[None]], [torch.tensor([[1., 0.]])], [torch.tensor([0])], clips=1, frames=1)
    loss = criterion.layer_losses(class_logits, boxes, actor_logits, targets)['loss_cls']
    assert float(loss) == pytest.approx(5.5304, abs=2e-4)
    # two such keyframes in a batch: the released loss sums them (a per-frame mean would halve it)
    two = FrameTargets([GT_BOX[None]] * 2, [torch.tensor([[1., 0.]])] * 2, [torch.tensor([0])] * 2, clips=2, frames=1)
    doubled = criterion.layer_losses(class_logits.repeat(2, 1, 1), boxes.repeat(2, 1, 1), actor_logits.repeat(2, 1, 1),
                                     two)['loss_cls']
    assert float(doubled) == pytest.approx(2 * 5.5304, abs=4e-4)


def _jhmdb_case():
    """T = 3 frames of one clip, frame 0 padding; one query matched to the class-0 actor in frames 1 and 2."""
    class_logits = torch.tensor([[[0., 0.]], [[1., -1.]], [[0.5, 0.]]])  # (F=3, Q=1, C=2)
    actor_logits = torch.tensor([[[0., 0., 0.]], [[0., 2., 0.]], [[0., 1., 1.]]])  # 3-way: p_actor = softmax[1]
    boxes = GT_BOX.expand(3, 1, 4).clone()
    targets = FrameTargets([torch.zeros(0, 4), GT_BOX[None], GT_BOX[None]],
                           [torch.zeros(0, 2), torch.tensor([[1., 0.]]), torch.tensor([[1., 0.]])],
                           [torch.zeros(0, dtype=torch.long), torch.tensor([0]), torch.tensor([0])],
                           clips=1, frames=3, valid=torch.tensor([False, True, True]))
    return class_logits, boxes, actor_logits, targets


def test_jhmdb_class_loss_on_real_frames_only():
    """P = p_actor * sigmoid(x): (1/6, 1/6), (0.5753, 0.2117), (0.2629, 0.2112); per-frame class-mean focal loss
    (matched frames at weight 10): 0.0038, 0.1646, 0.9471. The released JHMDB loss: (0.1646 + 0.9471) / 2."""
    criterion = _criterion(cls_normalizer='valid_frames', class_on_actor=True)
    loss = criterion.layer_losses(*_jhmdb_case())['loss_cls']
    assert float(loss) == pytest.approx(0.5558, abs=2e-4)


def test_ucf_class_loss_over_every_frame():
    """UCF101-24's released loss keeps padded frames: (0.0038 + 0.1646 + 0.9471) / 3."""
    criterion = _criterion(cls_normalizer='frames', class_on_actor=True)
    loss = criterion.layer_losses(*_jhmdb_case())['loss_cls']
    assert float(loss) == pytest.approx(0.3718, abs=2e-4)


def test_options_are_validated():
    with pytest.raises(ValueError, match='label_smoothing_mode'):
        CSACriterion(2, label_smoothing_mode='half')
    with pytest.raises(ValueError, match='cls_normalizer'):
        CSACriterion(2, cls_normalizer='batch')


def test_confidence_and_box_terms_on_a_hand_computed_case():
    """Released code: the actor confidence is a 3-way cross-entropy (class 1 = actor, 2 = no actor weighted by the
    no-object weight, class 0 never a target), averaged with those weights; L1 (cx, cy, w, h) and GIoU of the
    matched boxes are summed and divided by the number of ground-truth boxes."""
    import math
    criterion = CSACriterion(num_classes=2, loss_weights=dict(cls=1.0, bbox=1.0, giou=1.0, conf=1.0),
                             no_object_weight=0.5)
    # one frame, two queries; query 0 sits on the actor, query 1 far away
    predicted = torch.tensor([0.5, 0.5, 0.2, 0.2])
    gt = torch.tensor([0.55, 0.5, 0.2, 0.2])  # shifted by 0.05 in x: L1 = 0.05; IoU = 0.03 / 0.05 = 0.6
    boxes = torch.stack([predicted, FAR_BOX])[None]
    actor_logits = torch.tensor([[[0., 1., 0.], [0., 0., 1.]]])
    targets = FrameTargets([gt[None]], [torch.tensor([[1., 0.]])], [torch.tensor([0])], clips=1, frames=1)
    losses = criterion.layer_losses(torch.zeros(1, 2, 2), boxes, actor_logits, targets)
    # -log softmax: query 0 target 1 (weight 1), query 1 target 2 (weight 0.5): both -log(e / (2 + e))
    nll = -math.log(math.e / (2 + math.e))
    assert float(losses['loss_conf']) == pytest.approx((1.0 * nll + 0.5 * nll) / 1.5, abs=1e-5)
    assert float(losses['loss_bbox']) == pytest.approx(0.05, abs=1e-5)
    # GIoU of two 0.2 x 0.2 boxes 0.05 apart: IoU 0.6, enclosing box = union, so GIoU = IoU: loss 0.4
    assert float(losses['loss_giou']) == pytest.approx(0.4, abs=1e-5)
