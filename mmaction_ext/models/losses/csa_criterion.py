"""CSA's training objective (paper Sec. 4.3 eqs. 3-5, supplementary Sec. F): Hungarian matching of actor
queries to ground-truth actors, sigmoid focal loss on the classes, L1 + GIoU on the boxes, an actor
confidence loss, on every decoder layer.

Matching uses mmdet's ``HungarianAssigner`` and match costs (``BBoxL1Cost`` on normalised ``cx, cy, w,
h``, ``IoUCost('giou')``) plus :class:`ActorConfidenceCost` (``-weight * p_actor``, registered in mmdet's
``TASK_UTILS``): the class term of CSA's cost is the actor confidence, not the action classes.
``assign_per='frame'`` matches every frame on its own (the released code); ``'tube'`` matches once per
clip with each query-actor cost averaged over the frames where the actor is present (the paper's eq. 3:
one assignment per tube, so an actor keeps its query through the clip).

The loss terms use mmdet's pure-PyTorch ``py_sigmoid_focal_loss``, ``L1Loss`` and ``GIoULoss``.
"""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmdet.models.layers.transformer import inverse_sigmoid
from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
from mmdet.models.task_modules.assigners.match_cost import BaseMatchCost
from mmdet.registry import TASK_UTILS
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from scipy.optimize import linear_sum_assignment
from torch import Tensor, nn


@TASK_UTILS.register_module()
class ActorConfidenceCost(BaseMatchCost):
    """Match cost ``-weight * p_actor`` (CSA's class term): ``pred_instances.actor_scores (Q, )`` in
    ``[0, 1]``; the cost does not depend on the ground truth."""

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData, img_meta: Optional[dict] = None,
                 **kwargs) -> Tensor:
        scores = pred_instances.actor_scores
        return -self.weight * scores[:, None].expand(-1, len(gt_instances))


class FrameTargets:
    """Ground truth of the decoded frames of a batch, frame-major (``B * T_dec`` frames).

    ``boxes[f] (k, 4)`` normalised ``cx, cy, w, h``; ``labels[f] (k, C)`` multi-hot float;
    ``actors[f] (k, )`` which actor of its clip each box belongs to (for per-tube matching);
    ``valid (B * T_dec, )`` whether each frame is a real frame of its video (False: padding). Defaults to all.
    """

    def __init__(self, boxes: List[Tensor], labels: List[Tensor], actors: List[Tensor], clips: int, frames: int,
                 valid: Optional[Tensor] = None):
        self.boxes, self.labels, self.actors = boxes, labels, actors
        self.clips, self.frames = clips, frames
        self.valid = torch.ones(len(boxes), dtype=torch.bool) if valid is None else valid

    @property
    def num_boxes(self) -> int:
        return sum(len(b) for b in self.boxes)


class CSACriterion(nn.Module):
    """Matching and losses of CSA on the decoder outputs of all layers.

    Args:
        num_classes (int): ``C`` (action classes, no background).
        match_weights (dict): ``conf``, ``bbox`` (L1), ``giou`` weights of the matching cost, which is built
            as mmdet's ``HungarianAssigner`` with :class:`ActorConfidenceCost`, ``BBoxL1Cost('xywh')`` and
            ``IoUCost('giou')``. CSA: AVA 12/5/2, JHMDB and UCF101-24 4/5/2 (the default).
        assigner (dict, optional): A full mmdet assigner config instead (``match_weights`` then unused);
            its ``match_costs`` read ``pred_instances.bboxes`` (normalised ``x1, y1, x2, y2``;
            ``img_shape`` is ``(1, 1)``) and ``pred_instances.actor_scores``.
        assign_per (str): ``'frame'`` (released code) or ``'tube'`` (paper eq. 3).
        loss_weights (dict): ``cls``, ``bbox`` (L1), ``giou``, ``conf``. CSA: AVA 10/5/2/1, JHMDB and
            UCF101-24 4/5/2/3.
        matched_class_weight (float): Class-loss weight of matched queries (code: 10).
        no_object_weight (float): Weight of "no actor" in the confidence loss (AVA 0.1, JHMDB / UCF 0.5).
        label_smoothing (float): ``a`` of the class-target smoothing (AVA 0.1).
        label_smoothing_mode (str): ``'binary'``: targets ``(1 - a) * y + a / 2``, i.e. 0.95 / 0.05 for every
            query at ``a = 0.1`` (released code, AVA); ``'uniform'``: ``(1 - a) * y + a / C``.
        cls_normalizer (str): What the class loss (summed over queries, averaged over classes) is divided by:
            ``'frames'`` (every decoded frame, padding included: released UCF101-24 code),
            ``'valid_frames'`` (only real frames scored, divided by their number: released JHMDB code) or
            ``'none'`` (summed over the batch: released AVA code).
        class_on_actor (bool): Focal loss on ``inverse_sigmoid(sigmoid(cls) * p_actor)`` (JHMDB / UCF code)
            instead of the class logits (AVA).
        conf_loss (str): ``'ce3'`` (code: 3-way cross-entropy, class 1 = actor, 2 = none, class 0 never a
            target) or ``'bce'`` (the paper's eq. 4).
        focal_gamma, focal_alpha (float): Defaults to 2 and 0.25.
    """

    def __init__(self, num_classes: int, match_weights: Optional[dict] = None, assigner: Optional[dict] = None,
                 assign_per: str = 'frame',
                 loss_weights: Optional[dict] = None, matched_class_weight: float = 10.0,
                 no_object_weight: float = 0.5, label_smoothing: float = 0.0, label_smoothing_mode: str = 'binary',
                 cls_normalizer: str = 'frames', class_on_actor: bool = True,
                 conf_loss: str = 'ce3', focal_gamma: float = 2.0, focal_alpha: float = 0.25):
        super().__init__()
        if label_smoothing_mode not in ('binary', 'uniform'):
            raise ValueError(f"label_smoothing_mode must be 'binary' or 'uniform', got {label_smoothing_mode!r}")
        if cls_normalizer not in ('frames', 'valid_frames', 'none'):
            raise ValueError(f"cls_normalizer must be 'frames', 'valid_frames' or 'none', got {cls_normalizer!r}")
        self.label_smoothing_mode, self.cls_normalizer = label_smoothing_mode, cls_normalizer
        if assign_per not in ('frame', 'tube'):
            raise ValueError(f"assign_per must be 'frame' or 'tube', got {assign_per!r}")
        if conf_loss not in ('ce3', 'bce'):
            raise ValueError(f"conf_loss must be 'ce3' or 'bce', got {conf_loss!r}")
        self.num_classes, self.assign_per, self.conf_loss = num_classes, assign_per, conf_loss
        weights = dict(conf=4.0, bbox=5.0, giou=2.0)
        unknown = set(match_weights or {}) - set(weights)
        if unknown:
            raise KeyError(f'CSACriterion: unknown match_weights {sorted(unknown)}; expected {sorted(weights)}')
        weights.update(match_weights or {})
        assigner = assigner or dict(type='HungarianAssigner', match_costs=[
            dict(type='ActorConfidenceCost', weight=weights['conf']),
            dict(type='BBoxL1Cost', weight=weights['bbox'], box_format='xywh'),
            dict(type='IoUCost', iou_mode='giou', weight=weights['giou'])])
        with DefaultScope.overwrite_default_scope('mmdet'):  # mmdet's assigner and match costs
            self.assigner = TASK_UTILS.build(assigner)
        self.loss_weights = dict(cls=4.0, bbox=5.0, giou=2.0, conf=3.0)
        unknown = set(loss_weights or {}) - set(self.loss_weights)
        if unknown:
            raise KeyError(f'CSACriterion: unknown loss_weights {sorted(unknown)}; expected {sorted(self.loss_weights)}')
        self.loss_weights.update(loss_weights or {})
        self.matched_class_weight, self.no_object_weight = matched_class_weight, no_object_weight
        self.label_smoothing, self.class_on_actor = label_smoothing, class_on_actor
        self.focal_gamma, self.focal_alpha = focal_gamma, focal_alpha
        self.l1_loss = MODELS.build(dict(type='mmdet.L1Loss', reduction='sum'))
        self.giou_loss = MODELS.build(dict(type='mmdet.GIoULoss', reduction='sum'))

    # ------------------------------------------------------------------ matching
    def actor_probability(self, actor_logits: Tensor) -> Tensor:
        """``p_actor`` from ``(..., 3)`` (softmax, class 1) or ``(..., 1)`` (sigmoid) logits."""
        if self.conf_loss == 'ce3':
            return actor_logits.softmax(-1)[..., 1]
        return actor_logits[..., 0].sigmoid()

    @staticmethod
    def _instances(boxes: Tensor, actor_scores: Tensor, gt_boxes: Tensor) -> Tuple[InstanceData, InstanceData]:
        """One frame as the match costs read it: normalised ``x1, y1, x2, y2`` boxes (``img_shape`` (1, 1))."""
        pred = InstanceData(bboxes=bbox_cxcywh_to_xyxy(boxes), actor_scores=actor_scores)
        gt = InstanceData(bboxes=bbox_cxcywh_to_xyxy(gt_boxes),
                          labels=torch.zeros(len(gt_boxes), dtype=torch.long, device=boxes.device))
        return pred, gt

    def _frame_costs(self, boxes: Tensor, actor_scores: Tensor, gt_boxes: Tensor) -> Tensor:
        """``(Q, k)`` cost of one frame from the assigner's match costs."""
        pred, gt = self._instances(boxes, actor_scores, gt_boxes)
        meta = dict(img_shape=(1, 1))
        return sum(cost(pred_instances=pred, gt_instances=gt, img_meta=meta) for cost in self.assigner.match_costs)

    @torch.no_grad()
    def match(self, boxes: Tensor, actor_scores: Tensor, targets: FrameTargets) -> List[Tuple[Tensor, Tensor]]:
        """Per frame ``(query_indices, target_indices)``.

        ``boxes (F, Q, 4)`` normalised ``cx, cy, w, h`` and ``actor_scores (F, Q)`` of the ``F`` decoded frames.
        """
        empty = (boxes.new_zeros(0, dtype=torch.long), boxes.new_zeros(0, dtype=torch.long))
        if self.assign_per == 'frame':
            matches = []
            for frame, gt_boxes in enumerate(targets.boxes):
                if len(gt_boxes) == 0:
                    matches.append(empty)
                    continue
                pred, gt = self._instances(boxes[frame], actor_scores[frame], gt_boxes)
                result = self.assigner.assign(pred, gt, img_meta=dict(img_shape=(1, 1)))
                query = torch.nonzero(result.gt_inds > 0).flatten()
                matches.append((query, result.gt_inds[query] - 1))
            return matches
        # per tube: one assignment per clip on the cost averaged over the frames each actor is present
        matches = [empty] * len(targets.boxes)
        frames_per_clip = targets.frames
        for clip in range(targets.clips):
            frame_ids = range(clip * frames_per_clip, (clip + 1) * frames_per_clip)
            actors = torch.cat([targets.actors[f] for f in frame_ids])
            if len(actors) == 0:
                continue
            actor_ids = torch.unique(actors)
            total = boxes.new_zeros(boxes.shape[1], len(actor_ids))
            count = boxes.new_zeros(len(actor_ids))
            for frame in frame_ids:
                if len(targets.boxes[frame]) == 0:
                    continue
                column = torch.searchsorted(actor_ids, targets.actors[frame])
                total[:, column] += self._frame_costs(boxes[frame], actor_scores[frame], targets.boxes[frame])
                count[column] += 1
            rows, cols = linear_sum_assignment((total / count).cpu().numpy())
            query_of_actor = dict(zip(actor_ids[torch.as_tensor(cols)].tolist(), rows.tolist()))
            for frame in frame_ids:
                frame_actors = targets.actors[frame].tolist()
                pairs = [(query_of_actor[a], i) for i, a in enumerate(frame_actors) if a in query_of_actor]
                if pairs:
                    query, target = zip(*pairs)
                    matches[frame] = (torch.as_tensor(query, device=boxes.device),
                                      torch.as_tensor(target, device=boxes.device))
        return matches

    # ------------------------------------------------------------------ losses
    def layer_losses(self, class_logits: Tensor, boxes: Tensor, actor_logits: Tensor,
                     targets: FrameTargets) -> Dict[str, Tensor]:
        """Losses of one decoder layer; inputs ``(F, Q, C)``, ``(F, Q, 4)``, ``(F, Q, 3 | 1)``."""
        frames, num_queries, num_classes = class_logits.shape
        p_actor = self.actor_probability(actor_logits)
        matches = self.match(boxes.detach(), p_actor.detach(), targets)
        frame_idx = torch.cat([torch.full_like(q, f) for f, (q, _) in enumerate(matches)])
        query_idx = torch.cat([q for q, _ in matches])
        # class targets: matched queries get their (smoothed) labels, the rest zeros
        class_targets = class_logits.new_zeros(frames, num_queries, num_classes)
        matched_labels = [targets.labels[f][t] for f, (_, t) in enumerate(matches)]
        if len(query_idx):
            class_targets[frame_idx, query_idx] = torch.cat(matched_labels).to(class_targets)
        if self.label_smoothing:
            alpha = self.label_smoothing
            share = 2 if self.label_smoothing_mode == 'binary' else num_classes
            class_targets = class_targets * (1 - alpha) + alpha / share
        weights = class_logits.new_ones(frames, num_queries)
        weights[frame_idx, query_idx] = self.matched_class_weight
        logits = class_logits
        if self.class_on_actor:
            logits = inverse_sigmoid(class_logits.sigmoid() * p_actor[..., None])
        focal = py_sigmoid_focal_loss(logits.flatten(0, 1), class_targets.flatten(0, 1), gamma=self.focal_gamma,
                                      alpha=self.focal_alpha, reduction='none')
        per_query = focal.mean(-1) * weights.flatten()
        if self.cls_normalizer == 'frames':
            loss_cls = per_query.sum() / frames
        elif self.cls_normalizer == 'none':
            loss_cls = per_query.sum()
        else:  # only real frames, divided by their number
            valid = targets.valid.to(per_query.device).repeat_interleave(num_queries)
            loss_cls = (per_query * valid).sum() / valid.sum().clamp(min=1)
        # actor confidence
        is_actor = torch.zeros(frames, num_queries, dtype=torch.bool, device=boxes.device)
        is_actor[frame_idx, query_idx] = True
        if self.conf_loss == 'ce3':
            class_weight = actor_logits.new_tensor([1.0, 1.0, self.no_object_weight])
            target = torch.where(is_actor, 1, 2)
            loss_conf = F.cross_entropy(actor_logits.flatten(0, 1), target.flatten(), weight=class_weight)
        else:
            element_weight = torch.where(is_actor, 1.0, self.no_object_weight)
            loss_conf = F.binary_cross_entropy_with_logits(actor_logits[..., 0], is_actor.float(),
                                                           weight=element_weight)
        # boxes, divided by the number of ground-truth boxes
        num_boxes = max(targets.num_boxes, 1)
        if len(query_idx):
            pred_boxes = boxes[frame_idx, query_idx]
            gt_boxes = torch.cat([targets.boxes[f][t] for f, (_, t) in enumerate(matches)]).to(pred_boxes)
            loss_bbox = self.l1_loss(pred_boxes, gt_boxes) / num_boxes
            loss_giou = self.giou_loss(bbox_cxcywh_to_xyxy(pred_boxes), bbox_cxcywh_to_xyxy(gt_boxes)) / num_boxes
        else:  # no actor in the batch: keep the graph, add nothing
            loss_bbox = loss_giou = boxes.sum() * 0
        weights = self.loss_weights
        return dict(loss_cls=weights['cls'] * loss_cls, loss_bbox=weights['bbox'] * loss_bbox,
                    loss_giou=weights['giou'] * loss_giou, loss_conf=weights['conf'] * loss_conf)

    def forward(self, class_logits: Tensor, boxes: Tensor, actor_logits: Tensor,
                targets: FrameTargets) -> Dict[str, Tensor]:
        """Inputs per layer: ``(num_layers, F, Q, ...)``. Returns the last layer's losses as ``loss_*``
        and every earlier layer's as ``d{i}.loss_*`` (auxiliary losses, mmdet's DETR naming)."""
        losses = {}
        last = class_logits.shape[0] - 1
        for layer in range(last + 1):
            layer_losses = self.layer_losses(class_logits[layer], boxes[layer], actor_logits[layer], targets)
            prefix = '' if layer == last else f'd{layer}.'
            losses.update({prefix + name: value for name, value in layer_losses.items()})
        return losses


__all__ = ['ActorConfidenceCost', 'CSACriterion', 'FrameTargets']
