"""FocusVideo's classification head and query supervision (Sec. 3.5)."""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from torch import nn

FUSIONS = ('add', 'concat_linear', 'linear_add')  # Table 3e
QUERY_SUPERVISIONS = ('none', 'cls', 'recon_online', 'recon_offline')  # Table 3f


@MODELS.register_module()
class FocusVideoHead(BaseHead):
    """Global + local features -> class scores, with the query supervision of Table 3f.

    ``F = fuse(video, mean_{t,k} A^ST)``, then dropout and a Linear. ``video`` is the backbone's global feature
    (the frame class tokens averaged over time, then CLIP's frozen ``ln_post``, as ST-Adapter); the pooled
    queries enter without a norm (the paper adds the two pooled features directly). Dropout acts on ``F``
    only. Given a backbone without queries (:class:`CLIPViT`, Table 3a's M1) it is ST-Adapter's head.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): ``C``.
        fusion (str): ``'add'`` (paper), ``'concat_linear'`` (Linear 2C -> C) or ``'linear_add'`` (a Linear on
            each, then add), Table 3e.
        dropout_ratio (float): On ``F``; 0.5 as ST-Adapter (the paper is silent).
        init_std (float): Std of the classifier's normal init (0.02, ST-Adapter).
        query_supervision (str): ``'recon_offline'`` (paper default: ``L_recon`` against per-frame features
            read from a file, ``data_sample.recon_target (T, D)``), ``'recon_online'`` (against the backbone's
            own per-frame class features), ``'cls'`` (cross-entropy on a Linear of the pooled queries), or
            ``'none'``.
        recon_channels (int, optional): ``D`` of the reconstruction targets (offline: the feature file's width;
            default ``in_channels``); ``A^R = Linear(C -> D)(A^ST)``.
        online_target_detach (bool): Stop the gradient of ``L_recon`` into the online targets.
        loss_recon (dict): The ``L_recon`` config (``lambda_2`` is its ``loss_weight``).
        **kwargs: :class:`~mmaction.models.heads.BaseHead` arguments (``loss_cls``, whose ``loss_weight`` is
            ``lambda_1``; ``average_clips``; ``label_smooth_eps``).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 fusion: str = 'add',
                 dropout_ratio: float = 0.5,
                 init_std: float = 0.02,
                 query_supervision: str = 'recon_offline',
                 recon_channels: Optional[int] = None,
                 online_target_detach: bool = True,
                 loss_recon: dict = dict(type='ReconstructionContrastiveLoss', temperature=0.1, loss_weight=1.0),
                 **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        if fusion not in FUSIONS:
            raise ValueError(f'fusion={fusion!r}: choose one of {FUSIONS}')
        if query_supervision not in QUERY_SUPERVISIONS:
            raise ValueError(f'query_supervision={query_supervision!r}: choose one of {QUERY_SUPERVISIONS}')
        self.fusion = fusion
        self.init_std = init_std
        self.query_supervision = query_supervision
        self.online_target_detach = online_target_detach
        if fusion == 'concat_linear':
            self.fuse = nn.Linear(2 * in_channels, in_channels)
        elif fusion == 'linear_add':
            self.fuse_global = nn.Linear(in_channels, in_channels)
            self.fuse_local = nn.Linear(in_channels, in_channels)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.fc_cls = nn.Linear(in_channels, num_classes)
        if query_supervision == 'cls':
            self.query_cls = nn.Linear(in_channels, num_classes)
        elif query_supervision.startswith('recon'):
            if query_supervision == 'recon_online' and recon_channels not in (None, in_channels):
                raise ValueError(f'recon_channels={recon_channels}: online targets have in_channels={in_channels}')
            self.recon_proj = nn.Linear(in_channels, recon_channels or in_channels)
            self.loss_recon = MODELS.build(loss_recon)

    def init_weights(self) -> None:
        """Classifier N(0, init_std) with zero bias (ST-Adapter) unless ``init_cfg`` is given."""
        if self.init_cfg is None:
            nn.init.normal_(self.fc_cls.weight, std=self.init_std)
            nn.init.zeros_(self.fc_cls.bias)
        super().init_weights()

    @staticmethod
    def _unpack(feats) -> Tuple[torch.Tensor, torch.Tensor, Optional[torch.Tensor]]:
        if not isinstance(feats, (tuple, list)) or len(feats) not in (2, 3):
            raise ValueError('FocusVideoHead expects the backbone output (video, frames[, queries]) of CLIPViT / '
                             f'FocusVideoCLIP, got {type(feats).__name__}')
        return feats[0], feats[1], feats[2] if len(feats) == 3 else None

    def forward(self, feats, **kwargs) -> torch.Tensor:
        """``(video (N, C), frames (N, T, C)[, queries (N, T, K, C)])`` -> class scores ``(N, num_classes)``."""
        video, _, queries = self._unpack(feats)
        if queries is None:
            fused = video
        else:
            local = queries.mean(dim=(1, 2))
            if self.fusion == 'add':
                fused = video + local
            elif self.fusion == 'concat_linear':
                fused = self.fuse(torch.cat([video, local], dim=-1))
            else:
                fused = self.fuse_global(video) + self.fuse_local(local)
        return self.fc_cls(self.dropout(fused))

    @staticmethod
    def _labels(data_samples: Sequence, device) -> torch.Tensor:
        """``(N, )`` class indices, or ``(N, C)`` when the samples carry one-hot / soft labels."""
        labels = [torch.as_tensor(sample.gt_label, device=device) for sample in data_samples]
        if all(label.numel() == 1 for label in labels):
            return torch.stack([label.reshape(()) for label in labels])
        return torch.stack(labels)

    def _offline_targets(self, data_samples: Sequence, like: torch.Tensor) -> torch.Tensor:
        targets = []
        for sample in data_samples:
            if 'recon_target' not in sample:
                raise KeyError(f"query_supervision='recon_offline' needs data_sample.recon_target (T, D) for "
                               f"{sample.metainfo.get('filename', 'a sample')}: add LoadFrameFeatureTargets to the "
                               "train pipeline and 'recon_target' to PackActionInputs(algorithm_keys=...)")
            target = sample.recon_target
            targets.append(torch.as_tensor(np.asarray(target) if not torch.is_tensor(target) else target))
        targets = torch.stack(targets).to(device=like.device, dtype=torch.float32)
        if targets.shape[:2] != like.shape[:2] or targets.shape[-1] != self.recon_proj.out_features:
            raise ValueError(f'recon_target of shape {tuple(targets.shape[1:])} per sample does not fit the queries '
                             f'(T={like.shape[1]}) and recon_channels={self.recon_proj.out_features}')
        return targets

    def loss(self, feats, data_samples: Sequence, **kwargs) -> dict:
        """``loss_cls`` (``lambda_1 L_cls``) and, per ``query_supervision``, ``loss_recon`` or ``loss_query_cls``."""
        losses = self.loss_by_feat(self(feats), data_samples)
        if self.query_supervision == 'none':
            return losses
        _, frames, queries = self._unpack(feats)
        if queries is None:
            raise ValueError(f'query_supervision={self.query_supervision!r} needs action queries: use '
                             "FocusVideoCLIP, or query_supervision='none' with CLIPViT")
        labels = self._labels(data_samples, queries.device)
        if self.query_supervision == 'cls':
            hard = labels.argmax(dim=-1) if labels.dim() > 1 else labels
            losses['loss_query_cls'] = F.cross_entropy(self.query_cls(queries.mean(dim=(1, 2))), hard)
            return losses
        if self.query_supervision == 'recon_online':
            targets = frames.detach() if self.online_target_detach else frames
        else:
            targets = self._offline_targets(data_samples, queries)
        losses['loss_recon'] = self.loss_recon(self.recon_proj(queries), targets, labels)
        return losses
