"""CSA: one-pass video action (tube) detection with class-specific attention ("Classification Matters",
ECCV 2024), as an mmengine model with separate stages, like mmdet's ``DeformableDETR``:

``extract_feat`` (backbone + adapter neck -> 4 levels) -> ``forward_encoder`` (3-D deformable encoder,
then every level resampled to ``(T, H, W)`` of level -2) -> ``forward_decoder`` (LDL + CDL per frame) ->
``loss`` (:class:`CSACriterion`) or ``predict`` (tubes in the shared tube format, or AVA keyframe
detections for MMAction2's ``AVAMetric``).

Two decoding modes (``mode``):

- ``'tube'`` (JHMDB51-21, UCF101-24): ``N_a`` anchors per frame (``N_a * T`` learnt anchor boxes),
  every frame decoded; query ``i`` over the frames is tube ``i``. Predictions: ``bboxes (N_a, T, 4)``,
  ``scores (N_a, T, C) = sigmoid(cls) * p_actor``, ``actor_scores (N_a, T)``.
- ``'keyframe'`` (AVA): ``N_a`` anchors, only the middle frame ``T // 2`` decoded. Predictions:
  ``bboxes (N_a, 4)`` in ``[0, 1]`` and ``scores (N_a, C + 1)`` (column 0 = background, 0), with
  ``scores = sigmoid(cls)`` as the released code.
"""
import copy
import warnings
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmdet.models.layers.transformer import DetrTransformerEncoder
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from torch import Tensor, nn

from ...structures import tube_boxes_to_annotation
from ..heads.csa_decoder import CSADecoder
from ..layers.deformable_attention_3d import DeformableEncoder3D, sine_positional_encoding_3d
from ..losses.csa_criterion import CSACriterion, FrameTargets
from ..utils import require_pretrained_file


def resample_levels(levels: Sequence[Tensor], size: Tuple[int, int, int], mode: str = 'official',
                    frames: Optional[Sequence[int]] = None) -> List[Tensor]:
    """Resample ``(B, D, T_l, H_l, W_l)`` maps to ``size = (T, H, W)`` (trilinear, zero padding).

    ``'official'``: CSA's grid, ``linspace(-1, 1, n)`` with ``align_corners=False`` (sample centres at
    the outer pixel edges, so a same-size level gets its border halved), frame by frame when the level
    already has ``T`` frames; ``'interpolate'``: ``F.interpolate(mode='trilinear', align_corners=False)``.
    ``frames``: only these of the ``T`` output frames are computed (all by default), e.g. AVA's keyframe.
    """
    num_frames, height, width = size
    frames = list(range(num_frames)) if frames is None else list(frames)
    if mode == 'interpolate':
        return [(level if tuple(level.shape[2:]) == tuple(size) else
                 F.interpolate(level, size=size, mode='trilinear', align_corners=False))[:, :, frames]
                for level in levels]
    if mode != 'official':
        raise ValueError(f"resample mode must be 'official' or 'interpolate', got {mode!r}")
    device = levels[0].device
    ys, xs = (torch.linspace(-1, 1, n, device=device) for n in (height, width))
    ts = torch.linspace(-1, 1, num_frames, device=device)[frames]
    outputs = []
    for level in levels:
        batch, dims = level.shape[:2]
        if level.shape[2] == num_frames:
            grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
            flat = level[:, :, frames].transpose(1, 2).flatten(0, 1)
            grid = torch.stack([grid_x, grid_y], -1)[None].expand(len(flat), -1, -1, -1).to(level.dtype)
            sampled = F.grid_sample(flat, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
            outputs.append(sampled.view(batch, len(frames), dims, height, width).transpose(1, 2))
        else:
            grid_t, grid_y, grid_x = torch.meshgrid(ts, ys, xs, indexing='ij')
            grid = torch.stack([grid_x, grid_y, grid_t], -1)[None].expand(batch, -1, -1, -1, -1).to(level.dtype)
            outputs.append(F.grid_sample(level, grid, mode='bilinear', padding_mode='zeros', align_corners=False))
    return outputs


@MODELS.register_module()
class CSADetector(BaseModel):
    """CSA tube detector.

    Args:
        backbone (dict): Any MMAction2 3-D backbone (ViT-B with ``return_feat_map=True``, ``ResNet3dCSN``
            with ``out_indices``, ``VideoFocalNet``...).
        neck (dict): Adapter to ``num_levels`` maps of ``embed_dims`` channels (``SimplePyramid3D``,
            ``MultiLevelProjection3D``).
        num_classes (int): ``C`` action classes (no background; AVA: 80).
        num_queries (int): ``N_a`` actor queries per frame (AVA 15, JHMDB 5, UCF101-24 15).
        num_frames (int): ``T`` frames of an input clip (tube mode decodes all of them).
        mode (str): ``'tube'`` or ``'keyframe'`` (module docstring).
        embed_dims (int): ``D``. Defaults to 256.
        num_levels (int): Defaults to 4.
        encoder (dict): ``type='deformable3d'`` (the paper's; :class:`DeformableEncoder3D` arguments
            ``num_layers``, ``layer_cfg``) or ``'transformer'`` (mmdet's ``DetrTransformerEncoder``
            over all tokens, Table 1's baseline).
        decoder (dict): :class:`CSADecoder` arguments.
        criterion (dict): :class:`CSACriterion` arguments.
        actor_head (str): ``'ce3'`` (3 logits, code) or ``'bce'`` (1 logit, paper); must match the
            criterion's ``conf_loss``.
        resample (str): :func:`resample_levels` mode; ``'official'`` also tiles the level -2 positions
            over time as the code does (``'interpolate'`` encodes the output grid).
        pos_official_frequencies (bool): :func:`sine_positional_encoding_3d` option. Defaults to True.
        test_cfg (dict): ``oracle`` (None, ``'boxes'``, ``'labels'`` or ``'both'``: Table 7's analysis,
            replace the matched predictions' boxes and / or labels by the ground truth's) and ``class_attention`` (bool:
            attach the last CDL's class attention maps to the predictions).
        data_preprocessor (dict): Defaults to ``ActionDataPreprocessor`` (``NCTHW``).
    """

    def __init__(self, backbone: dict, neck: dict, num_classes: int, num_queries: int, num_frames: int,
                 mode: str = 'tube', embed_dims: int = 256, num_levels: int = 4, encoder: Optional[dict] = None,
                 decoder: Optional[dict] = None, criterion: Optional[dict] = None, actor_head: str = 'ce3',
                 resample: str = 'official', pos_official_frequencies: bool = True, test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None, init_cfg=None):
        super().__init__(data_preprocessor=data_preprocessor or dict(type='ActionDataPreprocessor'),
                         init_cfg=init_cfg)
        if mode not in ('tube', 'keyframe'):
            raise ValueError(f"CSADetector: mode must be 'tube' or 'keyframe', got {mode!r}")
        if actor_head not in ('ce3', 'bce'):
            raise ValueError(f"CSADetector: actor_head must be 'ce3' or 'bce', got {actor_head!r}")
        self.num_classes, self.num_queries, self.num_frames = num_classes, num_queries, num_frames
        self.mode, self.embed_dims, self.num_levels = mode, embed_dims, num_levels
        self.resample, self.pos_official_frequencies = resample, pos_official_frequencies
        self.backbone = MODELS.build(backbone)
        if callable(getattr(self.backbone, '_freeze_stages', None)):
            # MMAction2's ResNet3d freezes its first stages in train(), after a runner has wrapped the model in DDP,
            # whose reducer would then wait for their gradients: freeze them before any wrapper sees the model
            self.backbone._freeze_stages()
        self.neck = MODELS.build(neck)
        encoder = copy.deepcopy(dict(encoder or {}))  # defaults below must not write into the caller's config
        self.encoder_type = encoder.pop('type', 'deformable3d')
        if self.encoder_type == 'deformable3d':
            layer_cfg = encoder.setdefault('layer_cfg', {})
            attn = layer_cfg.setdefault('self_attn_cfg', {})
            attn.setdefault('embed_dims', embed_dims)
            attn.setdefault('num_levels', num_levels)
            layer_cfg.setdefault('ffn_cfg', {}).setdefault('embed_dims', embed_dims)
            self.encoder = DeformableEncoder3D(**encoder)
        elif self.encoder_type == 'transformer':
            encoder.setdefault('layer_cfg', dict(
                self_attn_cfg=dict(embed_dims=embed_dims, num_heads=8, dropout=0.1, batch_first=True),
                ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=2048, ffn_drop=0.1)))
            self.encoder = DetrTransformerEncoder(**encoder)
        else:
            raise ValueError(f"CSADetector: encoder type must be 'deformable3d' or 'transformer', "
                             f'got {self.encoder_type!r}')
        self.level_embed = nn.Parameter(torch.zeros(num_levels, embed_dims))
        self.decoder = CSADecoder(num_classes=num_classes, embed_dims=embed_dims, num_levels=num_levels,
                                  **(decoder or {}))
        num_anchors = num_queries * (num_frames if mode == 'tube' else 1)
        self.anchors = nn.Embedding(num_anchors, 4)
        self.actor_head = nn.Linear(embed_dims, 3 if actor_head == 'ce3' else 1)
        criterion = dict(criterion or {})
        criterion.setdefault('conf_loss', actor_head)
        if criterion['conf_loss'] != actor_head:
            raise ValueError(f"CSADetector: actor_head {actor_head!r} and criterion conf_loss "
                             f"{criterion['conf_loss']!r} differ")
        self.criterion = CSACriterion(num_classes=num_classes, **criterion)
        self.test_cfg = dict(oracle=None, class_attention=False)
        unknown = set(test_cfg or {}) - set(self.test_cfg)
        if unknown:
            raise KeyError(f'CSADetector: unknown test_cfg keys {sorted(unknown)}; expected {sorted(self.test_cfg)}')
        self.test_cfg.update(test_cfg or {})
        if self.test_cfg['oracle'] not in (None, 'boxes', 'labels', 'both'):
            raise ValueError(f"CSADetector: test_cfg oracle must be None, 'boxes', 'labels' or 'both', "
                             f"got {self.test_cfg['oracle']!r}")
        self._warned_many_actors = False

    def init_weights(self) -> None:
        """Xavier-uniform for the transformer's matrices (DETR's ``_reset_parameters``), then mmengine's
        recursion: each module's own initialisation (deformable attention offsets, the zeroed box head, the
        backbone's), and a ``Pretrained`` ``init_cfg`` last, so loaded weights are never overwritten."""
        for module in (self.encoder, self.decoder):
            for param in module.parameters():
                if param.dim() > 1:
                    nn.init.xavier_uniform_(param)
        nn.init.normal_(self.level_embed)
        for owner, module in (('model', self), ('model.backbone', self.backbone)):
            for cfg in (module.init_cfg if isinstance(module.init_cfg, list) else [module.init_cfg]):
                if cfg and cfg.get('type') == 'Pretrained':
                    require_pretrained_file(cfg['checkpoint'], type(self).__name__,
                                            "MMAction2's model-zoo checkpoints (VideoMAE ViT-B, ircsn-152) load as they "
                                            'are; released CSA weights: tools/convert/csa_official.py (docs/csa.md, '
                                            '"Weights").', f'{owner}.init_cfg')
        super().init_weights()

    # ------------------------------------------------------------------ stages
    def extract_feat(self, inputs: Tensor) -> List[Tensor]:
        """``inputs (B, 3, T, H, W)`` -> ``num_levels`` maps ``(B, D, T_l, H_l, W_l)``."""
        if inputs.dim() == 6 and inputs.shape[1] == 1:  # one view per sample, as FormatShape packs it
            inputs = inputs[:, 0]
        if inputs.dim() != 5:
            raise ValueError(f'CSADetector: inputs of shape {tuple(inputs.shape)}, expected (B, 3, T, H, W) '
                             "(FormatShape(input_format='NCTHW') with one clip per sample)")
        if inputs.shape[2] != self.num_frames:
            raise ValueError(f'CSADetector: clips have {inputs.shape[2]} frames, the model was built for '
                             f'num_frames={self.num_frames}; set the dataset clip_len and model.num_frames alike')
        feats = self.backbone(inputs)
        levels = list(self.neck(feats))
        if len(levels) != self.num_levels:
            raise ValueError(f'CSADetector: the neck gave {len(levels)} levels, num_levels={self.num_levels}')
        return levels

    def forward_encoder(self, levels: Sequence[Tensor]) -> Tuple[Tensor, Tensor, Tuple[int, int]]:
        """Encode all levels jointly, then resample each to ``(T, H, W)`` of level -2, at the frames the
        decoder reads (:meth:`decoded_frames`: all, or AVA's keyframe).

        Returns:
            tuple: ``memory (B, T_dec, L, HW, D)``, ``memory_pos (B, T_dec, HW, D)`` and the grid ``(H, W)``.
        """
        shapes = [tuple(level.shape[2:]) for level in levels]
        tokens, positions = [], []
        for index, level in enumerate(levels):
            pos = sine_positional_encoding_3d(shapes[index], self.embed_dims,
                                              official_frequencies=self.pos_official_frequencies,
                                              device=level.device).to(level.dtype)
            tokens.append(level.flatten(2).transpose(1, 2))
            positions.append(pos.flatten(1).transpose(0, 1) + self.level_embed[index])
        query = torch.cat(tokens, 1)
        query_pos = torch.cat(positions, 0)[None].expand(query.shape[0], -1, -1)
        if self.encoder_type == 'deformable3d':
            memory = self.encoder(query, query_pos, shapes)
        else:
            memory = self.encoder(query, query_pos, key_padding_mask=None)
        batch = memory.shape[0]
        encoded = [part.transpose(1, 2).reshape(batch, self.embed_dims, *shape)
                   for part, shape in zip(memory.split([t * h * w for t, h, w in shapes], 1), shapes)]
        _, height, width = shapes[-2]
        size = (self.num_frames, height, width)
        frames = self.decoded_frames()
        resampled = resample_levels(encoded, size, self.resample, frames)
        memory = torch.stack(resampled, 1).permute(0, 3, 1, 4, 5, 2).flatten(3, 4)  # (B, T_dec, L, HW, D)
        # Positions of the resampled grid: level -2's (with its level embedding), over the T frames.
        level_pos = positions[-2].view(*shapes[-2], self.embed_dims)
        if self.resample == 'official':
            repeats = -(-self.num_frames // shapes[-2][0])
            level_pos = level_pos.repeat(repeats, 1, 1, 1)[:self.num_frames]  # the code tiles, not stretches
        else:
            level_pos = sine_positional_encoding_3d(size, self.embed_dims, official_frequencies=self.pos_official_frequencies,
                                                    device=memory.device).permute(1, 2, 3, 0) + self.level_embed[-2]
        memory_pos = level_pos[frames].flatten(1, 2)[None].expand(batch, -1, -1, -1)
        return memory, memory_pos, (height, width)

    def decoded_frames(self) -> List[int]:
        """Indices of the frames the decoder predicts: all, or the middle one (keyframe mode)."""
        return list(range(self.num_frames)) if self.mode == 'tube' else [self.num_frames // 2]

    def forward_decoder(self, memory: Tensor, memory_pos: Tensor, grid: Tuple[int, int],
                        need_class_attention: bool = False) -> Dict[str, Tensor]:
        """Decode the frames of :meth:`decoded_frames` (``memory`` and ``memory_pos`` hold just those, from
        :meth:`forward_encoder`); outputs ``(layers, B, T_dec, Q, ...)``: ``class_logits``, ``boxes``
        (normalised ``cx, cy, w, h``), ``actor_logits`` and optionally ``class_attention (B, T_dec, Q, C, HW)``."""
        frames = self.decoded_frames()
        batch = memory.shape[0]
        memory, memory_pos = memory.flatten(0, 1), memory_pos.flatten(0, 1)
        anchors = self.anchors.weight.view(self.num_queries, len(frames), 4).transpose(0, 1)  # (T_dec, Q, 4)
        anchors = anchors[None].expand(batch, -1, -1, -1).flatten(0, 1)
        out = self.decoder(memory, memory_pos, anchors, grid, need_class_attention=need_class_attention)
        layers = out['hidden'].shape[0]
        shape = (layers, batch, len(frames), self.num_queries)
        result = dict(class_logits=out['class_logits'].view(*shape, -1), boxes=out['boxes'].view(*shape, 4),
                      actor_logits=self.actor_head(out['hidden']).view(*shape, -1))
        if need_class_attention:
            result['class_attention'] = out['class_attention'].view(batch, len(frames), self.num_queries,
                                                                    self.num_classes, -1)
        return result

    def _forward(self, inputs: Tensor, need_class_attention: bool = False) -> Dict[str, Tensor]:
        memory, memory_pos, grid = self.forward_encoder(self.extract_feat(inputs))
        outputs = self.forward_decoder(memory, memory_pos, grid, need_class_attention)
        outputs['grid'] = grid
        return outputs

    # ------------------------------------------------------------------ targets
    def frame_targets(self, data_samples: Sequence) -> FrameTargets:
        """Per decoded frame: normalised ``cx, cy, w, h`` boxes, multi-hot labels and actor indices.

        Tube mode reads ``gt_instances.bboxes (A, T, 4)`` / ``labels (A, T)`` (``PackTubeInputs``);
        keyframe mode reads MMAction2's AVA samples, ``bboxes (A, 4)`` and ``labels (A, C + 1)``
        (column 0, background, dropped).
        """
        boxes, labels, actors, valid = [], [], [], []
        frames = self.decoded_frames()
        for sample in data_samples:
            # padded frames (JHMDB's centre padding, UCF's clip grid) are flagged by the dataset
            frame_valid = sample.metainfo.get('frame_valid')
            frame_valid = (torch.ones(self.num_frames, dtype=torch.bool) if frame_valid is None
                           else torch.as_tensor(frame_valid, dtype=torch.bool).reshape(-1))
            valid.append(frame_valid[frames] if self.mode == 'tube' else torch.ones(len(frames), dtype=torch.bool))
            where = f'CSADetector: clip of {sample.metainfo.get("video_id", sample.metainfo.get("img_key"))!r}'
            if 'gt_instances' not in sample:
                raise ValueError(f'{where} has no gt_instances')
            height, width = sample.metainfo['img_shape']
            scale = torch.tensor([width, height, width, height], dtype=torch.float32)
            gt = sample.gt_instances
            gt_boxes, gt_labels = gt.bboxes.float().cpu(), gt.labels.cpu()
            if self.mode == 'tube':
                if gt_boxes.dim() != 3 or gt_boxes.shape[1] != self.num_frames:
                    raise ValueError(f'{where}: ground-truth tubes of shape {tuple(gt_boxes.shape)}, expected '
                                     f'(A, {self.num_frames}, 4); pack the pipeline with PackTubeInputs')
                # rows are tubes: an actor with two action segments is two rows, never present together
                most = int((gt_labels[:, frames] >= 0).sum(0).max()) if len(gt_labels) else 0
                if most > self.num_queries and not self._warned_many_actors:
                    warnings.warn(f'{where} has {most} actors in one frame > num_queries={self.num_queries}: '
                                  'the extra actors of such frames cannot be matched')
                    self._warned_many_actors = True
                for t in frames:
                    present = gt_labels[:, t] >= 0
                    frame_boxes = gt_boxes[present, t] / scale
                    boxes.append(bbox_xyxy_to_cxcywh(frame_boxes.clamp(0, 1)))
                    labels.append(F.one_hot(gt_labels[present, t], self.num_classes).float())
                    actors.append(torch.nonzero(present).flatten())
            else:
                if gt_boxes.dim() != 2 or gt_labels.dim() != 2 or gt_labels.shape[1] != self.num_classes + 1:
                    raise ValueError(f'{where}: AVA ground truth of shapes {tuple(gt_boxes.shape)} / '
                                     f'{tuple(gt_labels.shape)}, expected (A, 4) / (A, {self.num_classes + 1})')
                boxes.append(bbox_xyxy_to_cxcywh((gt_boxes / scale).clamp(0, 1)))
                labels.append(gt_labels[:, 1:].float())
                actors.append(torch.arange(len(gt_boxes)))
        device = self.anchors.weight.device
        for items in (boxes, labels, actors):
            items[:] = [item.to(device) for item in items]
        return FrameTargets(boxes, labels, actors, clips=len(data_samples), frames=len(frames),
                            valid=torch.cat(valid).to(device))

    # ------------------------------------------------------------------ modes
    def forward(self, inputs: Tensor, data_samples: Optional[List] = None, mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f'CSADetector: invalid mode {mode!r}; expected loss, predict or tensor')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        outputs = self._forward(inputs)
        targets = self.frame_targets(data_samples)
        return self.criterion(outputs['class_logits'].flatten(1, 2), outputs['boxes'].flatten(1, 2),
                              outputs['actor_logits'].flatten(1, 2), targets)

    @torch.no_grad()
    def predict(self, inputs: Tensor, data_samples: List) -> List:
        outputs = self._forward(inputs, need_class_attention=self.test_cfg['class_attention'])
        boxes = outputs['boxes'][-1]  # (B, T_dec, Q, 4)
        actor_scores = self.criterion.actor_probability(outputs['actor_logits'][-1])  # (B, T_dec, Q)
        scores = outputs['class_logits'][-1].sigmoid()  # (B, T_dec, Q, C)
        if self.mode == 'tube':  # JHMDB / UCF101-24 code: sigmoid(cls) * p_actor; AVA: sigmoid(cls)
            scores = scores * actor_scores[..., None]
        if self.test_cfg['oracle']:
            scores, boxes = self._oracle(scores, boxes, actor_scores, data_samples)
        for index, sample in enumerate(data_samples):
            height, width = sample.metainfo['img_shape']
            xyxy = bbox_cxcywh_to_xyxy(boxes[index]).clamp(0, 1)  # (T_dec, Q, 4), normalised, inside the frame
            if self.mode == 'tube':
                pixels = xyxy * xyxy.new_tensor([width, height, width, height])
                pred = InstanceData(bboxes=tube_boxes_to_annotation(pixels.transpose(0, 1), sample.metainfo),
                                    scores=scores[index].transpose(0, 1),
                                    actor_scores=actor_scores[index].transpose(0, 1))
            else:
                frame_scores = scores[index, 0]
                pred = InstanceData(bboxes=xyxy[0],
                                    scores=torch.cat([frame_scores.new_zeros(len(frame_scores), 1), frame_scores], 1))
            if 'class_attention' in outputs:
                grid = outputs['grid']
                pred.class_attention = outputs['class_attention'][index].transpose(0, 1).unflatten(-1, grid)
            sample.pred_instances = pred
        return data_samples

    def _oracle(self, scores: Tensor, boxes: Tensor, actor_scores: Tensor, data_samples: List):
        """Table 7: Hungarian-match the final predictions to the ground truth (the training cost) and put
        the ground truth's boxes (``'boxes'``), labels (``'labels'``: score 1 for its classes, 0 for the
        others) or both (``'both'``: a check of the output format, which must score 100) in the matched
        predictions."""
        targets = self.frame_targets(data_samples)
        flat_boxes, flat_scores = boxes.flatten(0, 1).clone(), scores.flatten(0, 1).clone()
        matches = self.criterion.match(flat_boxes, actor_scores.flatten(0, 1), targets)
        for frame, (query, target) in enumerate(matches):
            if self.test_cfg['oracle'] in ('boxes', 'both'):
                flat_boxes[frame, query] = targets.boxes[frame][target].to(flat_boxes)
            if self.test_cfg['oracle'] in ('labels', 'both'):
                flat_scores[frame, query] = targets.labels[frame][target].to(flat_scores)
        return flat_scores.view_as(scores), flat_boxes.view_as(boxes)


__all__ = ['CSADetector', 'resample_levels']
