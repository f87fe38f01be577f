"""ART's head: region-specific semantics activation, tracklets, the MTC loss, tracklet aggregation and
prediction, and the text-constrained semantic bank with its fine-tuning (Secs. III-B to III-E)."""
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from mmaction.models.heads import BaseHead
from mmaction.registry import MODELS
from torch import nn

from ..layers.text_bank import load_text_bank
from .art_rssa import AGGREGATIONS, RegionSemanticsActivation, aggregate_tracklets
from .art_semantic_bank import FINETUNE_LOSSES, ARTSemanticBank, template_max_scores

SELECTIONS = ('classifier', 'similarity', 'fixed')


@MODELS.register_module()
class ARTHead(BaseHead):
    """ART on any backbone that gives a video feature and per-frame tokens.

    ``x_cls`` selects the top-K text semantics of the bank (the paper gives no rule: by default the K classes the
    ``x_cls`` classifier of ``L_v`` scores highest, which every Table IV-VI setting trains; labels are never read,
    so training and testing select alike); :class:`RegionSemanticsActivation` turns them into K region responses per
    frame; the tracklets are aggregated (eq. 9) and ``Concat(x_cls, Tr_1^agg..Tr_K^agg)`` is classified
    (eq. 11, the prediction used at test time). ``x_cls`` is classified on its own for ``L_v`` (eq. 10).

    Backbone outputs accepted: ``(x_cls (N, C), tokens (N, T, L, C))`` (``UniFormerV2Tokens``), or a feature
    map ``(N, C, T, H, W)`` (TEA-R50, ResNet3d; a tuple of maps, e.g. Video-FocalNet's, gives its last): tokens
    its positions, ``x_cls`` its global average.

    Args:
        num_classes (int): Number of classes.
        in_channels (int): ``C``.
        num_frames (int): ``T`` of the backbone's tokens (region prompts are per frame).
        text_bank (str, optional): Bank file of ``tools/build_text_bank.py`` (read in ``init_weights``).
        num_prompts (int): ``N_prom`` of the bank (16). text_channels (int): ``C_t`` (512 B/16, 768 L/14).
        allow_random_bank (bool): See :class:`ARTSemanticBank`.
        rssa (bool): False: the baseline of Table IV (``x_cls`` classified alone, nothing else built).
        num_regions (int): ``K`` (2). embed_dims (int): ``d`` (256).
        selection (str): ``'classifier'`` (the top-K scores of the detached ``L_v`` classifier), ``'similarity'``
            (cosine between ``Linear(C -> C_t)(x_cls)`` and each class's template-mean semantics: needs
            ``'video'`` in ``finetune_losses``, the only loss that trains that projection) or ``'fixed'``
            (``fixed_classes``, default the first K classes).
        spatial_enhancement, num_encoder_layers, num_decoder_layers, num_heads, ffn_channels, attn_dropout:
            :class:`RegionSemanticsActivation`.
        aggregation (str): ``'text'`` (eq. 9), ``'sum'`` (Table IV setting 2) or ``'mean'``.
        agg_temperature (float): Divides the eq. 9 cosines (1 = the printed equation).
        loss_mtc (dict, optional): ``MultiLevelTrackletContrastiveLoss`` config (its ``loss_weight`` is
            ``gamma_1``); None: no MTC (Table IV setting 4).
        finetune_losses (Sequence[str]): ``'video'``, ``'prototype'`` (Table VI); empty: frozen ``S^0``.
        sema_weight (float): ``gamma_2`` (5).
        sema_to_backbone (bool): Whether ``L_video`` reaches ``x_cls`` (True) or only the projection and bank.
        prototype_source, bank_momentum, logit_scale: :class:`ARTSemanticBank`.
        dropout_ratio (float): Before both classifiers (0.5, Sec. IV-A). init_std (float): classifier init.
        zero_shot_bank (str, optional): Beyond the paper: a bank file of *other* classes; outside training the
            head then scores them by eq. 13 (``max_j cos(Linear(x_cls), B_{i,j})``, the video consistency
            scorer) instead of its classifier, so a model trained on some classes is tested on unseen ones.
        **kwargs: :class:`~mmaction.models.heads.BaseHead` (``loss_cls`` for ``L_v`` and ``L_con``,
            ``average_clips``).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int,
                 num_frames: int,
                 text_bank: Optional[str] = None,
                 num_prompts: int = 16,
                 text_channels: int = 512,
                 allow_random_bank: bool = False,
                 rssa: bool = True,
                 num_regions: int = 2,
                 embed_dims: int = 256,
                 selection: str = 'classifier',
                 fixed_classes: Optional[Sequence[int]] = None,
                 spatial_enhancement: bool = True,
                 num_encoder_layers: int = 4,
                 num_decoder_layers: int = 4,
                 num_heads: int = 8,
                 ffn_channels: int = 2048,
                 attn_dropout: float = 0.1,
                 aggregation: str = 'text',
                 agg_temperature: float = 1.0,
                 loss_mtc: Optional[dict] = dict(type='MultiLevelTrackletContrastiveLoss', loss_weight=5.0),
                 finetune_losses: Sequence[str] = FINETUNE_LOSSES,
                 sema_weight: float = 5.0,
                 sema_to_backbone: bool = True,
                 prototype_source: str = 'separate',
                 bank_momentum: float = 0.999,
                 logit_scale: Union[float, str] = 'learnable',
                 dropout_ratio: float = 0.5,
                 init_std: float = 0.01,
                 zero_shot_bank: Optional[str] = None,
                 **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        if selection not in SELECTIONS:
            raise ValueError(f'selection={selection!r}: choose one of {SELECTIONS}')
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'aggregation={aggregation!r}: choose one of {AGGREGATIONS}')
        if rssa and num_regions > num_classes:
            raise ValueError(f'num_regions K={num_regions} > num_classes={num_classes}: the top-K text semantics '
                             'are K distinct classes')
        if fixed_classes is not None and (len(fixed_classes) != num_regions
                                          or not all(0 <= c < num_classes for c in fixed_classes)):
            raise ValueError(f'fixed_classes={fixed_classes}: need {num_regions} class indices in [0, {num_classes})')
        self.rssa_enabled, self.num_frames, self.num_regions = rssa, num_frames, num_regions
        self.selection = selection
        self.fixed_classes = list(fixed_classes or range(num_regions)) if selection == 'fixed' else None
        self.aggregation, self.agg_temperature = aggregation, agg_temperature
        self.sema_weight, self.sema_to_backbone, self.init_std = sema_weight, sema_to_backbone, init_std
        if zero_shot_bank is not None and not rssa:
            raise ValueError('zero_shot_bank needs rssa=True (the eq. 13 projection lives in the ART head)')
        # Linear(C -> C_t) of eq. 13: only L_video trains it, so it exists only where something trains and reads it
        with_video_text = rssa and 'video' in tuple(finetune_losses)
        for what, needs in (('selection=\'similarity\'', selection == 'similarity'),
                            ('zero_shot_bank', zero_shot_bank is not None)):
            if needs and not with_video_text:
                raise ValueError(f"ARTHead: {what} reads the eq. 13 projection Linear(C -> C_t), which only the video "
                                 "consistency loss trains: add 'video' to finetune_losses, or use "
                                 "selection='classifier'")
        self.zero_shot_bank, self._zero_shot_semantics = zero_shot_bank, None
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.fc_video = nn.Linear(in_channels, num_classes)  # L_v (eq. 10)
        if not rssa:
            return
        self.semantic_bank = ARTSemanticBank(num_classes, num_prompts, text_channels, in_channels, text_bank,
                                             allow_random_bank, finetune_losses, prototype_source, bank_momentum,
                                             logit_scale)
        self.video_to_text = nn.Linear(in_channels, text_channels) if with_video_text else None  # eq. 13
        self.rssa = RegionSemanticsActivation(in_channels, text_channels, num_frames, num_regions, embed_dims,
                                              spatial_enhancement, num_encoder_layers, num_decoder_layers,
                                              num_heads, ffn_channels, attn_dropout)
        self.fc_cls = nn.Linear(in_channels + num_regions * embed_dims, num_classes)  # L_con (eq. 11)
        self.loss_mtc = MODELS.build(loss_mtc) if loss_mtc else None

    def init_weights(self) -> None:
        """Classifiers N(0, init_std), zero bias, and ``S^0`` read from ``text_bank``; then ``init_cfg``."""
        for fc in (self.fc_video, getattr(self, 'fc_cls', None)):
            if fc is not None:
                nn.init.normal_(fc.weight, std=self.init_std)
                nn.init.zeros_(fc.bias)
        super().init_weights()
        if self.rssa_enabled:
            self.semantic_bank.init_bank()

    # ------------------------------------------------------------------------------------------ stages
    def unpack(self, feats) -> Tuple[torch.Tensor, torch.Tensor]:
        """``(x_cls (N, C), tokens (N, T, L, C))`` from the backbone output."""
        if isinstance(feats, (tuple, list)) and feats and all(torch.is_tensor(f) and f.dim() == 5 for f in feats):
            feats = feats[-1]  # multi-stage feature maps (Video-FocalNet's out_indices): the last
        if isinstance(feats, (tuple, list)) and len(feats) == 2:
            x_cls, tokens = feats
        elif torch.is_tensor(feats) and feats.dim() == 5:
            tokens = feats.flatten(3).permute(0, 2, 3, 1)
            x_cls = feats.mean(dim=(2, 3, 4))
        else:
            shape = tuple(feats.shape) if torch.is_tensor(feats) else type(feats).__name__
            raise ValueError(f'ARTHead needs (x_cls (N, C), tokens (N, T, L, C)) or a feature map (N, C, T, H, W) '
                             f'from the backbone, got {shape}')
        if tokens.dim() != 4 or tokens.shape[-1] != self.in_channels or x_cls.shape[-1] != self.in_channels:
            raise ValueError(f'ARTHead(in_channels={self.in_channels}): got x_cls {tuple(x_cls.shape)} and tokens '
                             f'{tuple(tokens.shape)}')
        return x_cls, tokens

    def forward_tracklets(self, x_cls: torch.Tensor, tokens: torch.Tensor, return_attention: bool = False
                          ) -> Dict[str, torch.Tensor]:
        """Selection, RSSA and aggregation: ``video_text (N, C_t)``, ``classes (N, K)``, ``responses
        (N, T, K, d)``, ``semantics (N, K, d)``, ``tracklets (N, K, d)`` (and ``attention (N, T, K, L)``, where
        each response comes from, if asked)."""
        video_text = self.video_to_text(x_cls) if self.video_to_text is not None else None
        classes = self.select_classes(x_cls, video_text)
        semantics = self.semantic_bank.class_semantics()[classes]  # static S^topk (N, K, C_t)
        responses, static, *attention = self.rssa(tokens, semantics, return_attention)
        tracklets = aggregate_tracklets(responses, static, self.aggregation, self.agg_temperature)
        parts = dict(video_text=video_text, classes=classes, responses=responses, semantics=static,
                     tracklets=tracklets)
        if attention:
            parts['attention'] = attention[0]
        return parts

    def select_classes(self, x_cls: torch.Tensor, video_text: Optional[torch.Tensor]) -> torch.Tensor:
        """``(N, K)`` indices of the text semantics the region queries start from (no gradient, no labels)."""
        if self.selection == 'classifier':
            return self.fc_video(x_cls.detach()).topk(self.num_regions, dim=-1).indices
        return self.semantic_bank.select(video_text if video_text is not None else x_cls, self.num_regions,
                                         self.fixed_classes)

    def classify(self, x_cls: torch.Tensor, tracklets: torch.Tensor) -> torch.Tensor:
        """Eq. 11's scores from ``Concat(x_cls, Tr_1^agg, ..., Tr_K^agg)``."""
        return self.fc_cls(self.dropout(torch.cat([x_cls, tracklets.flatten(1)], dim=-1)))

    def forward(self, feats, **kwargs) -> torch.Tensor:
        """Class scores ``(N, num_classes)``: eq. 11's (the baseline: ``x_cls``'s; with ``zero_shot_bank``
        outside training, eq. 13's over the bank's classes)."""
        x_cls, tokens = self.unpack(feats)
        if not self.rssa_enabled:
            return self.fc_video(self.dropout(x_cls))
        if self.zero_shot_bank is not None and not self.training:
            return self.zero_shot_scores(x_cls, self.zero_shot_semantics())
        return self.classify(x_cls, self.forward_tracklets(x_cls, tokens)['tracklets'])

    def zero_shot_semantics(self) -> torch.Tensor:
        """``zero_shot_bank``'s embeddings ``(N_new, N_prom, C_t)``, read once."""
        if self._zero_shot_semantics is None:
            bank = load_text_bank(self.zero_shot_bank)['bank']
            if bank.shape[-1] != self.semantic_bank.text_channels:
                raise ValueError(f'zero_shot_bank {self.zero_shot_bank} has C_t={bank.shape[-1]}, the model '
                                 f'text_channels={self.semantic_bank.text_channels}')
            self._zero_shot_semantics = bank.to(self.fc_video.weight.device)
        return self._zero_shot_semantics

    def zero_shot_scores(self, x_cls: torch.Tensor, bank: torch.Tensor) -> torch.Tensor:
        """Eq. 13 against any bank ``(N_new, N_prom, C_t)``: ``(N, N_new)`` scaled cosines."""
        return template_max_scores(self.video_to_text(x_cls), bank, self.semantic_bank.logit_scale)

    # ------------------------------------------------------------------------------------------ losses
    @staticmethod
    def hard_labels(data_samples: Sequence, device) -> torch.Tensor:
        labels = torch.stack([torch.as_tensor(sample.gt_label, device=device).reshape(-1)
                              for sample in data_samples])
        return labels[:, 0] if labels.shape[1] == 1 else labels.argmax(dim=1)

    def loss(self, feats, data_samples: Sequence, **kwargs) -> dict:
        """Eq. 18: ``loss_cls`` (``L_con``), ``loss_video`` (``L_v``), ``loss_mtc_*`` (``gamma_1 L_MTC``) and
        ``loss_sema_*`` (``gamma_2 L_sema``), with the accuracy of the final prediction."""
        x_cls, tokens = self.unpack(feats)
        video_losses = self.loss_by_feat(self.fc_video(self.dropout(x_cls)), data_samples)
        if not self.rssa_enabled:
            return video_losses
        parts = self.forward_tracklets(x_cls, tokens)
        losses = self.loss_by_feat(self.classify(x_cls, parts['tracklets']), data_samples)
        losses['loss_video'] = video_losses['loss_cls']
        if self.loss_mtc is not None:
            losses.update(self.loss_mtc(parts['responses']))
        if self.semantic_bank.finetune_losses:
            video_text = parts['video_text'] if self.sema_to_backbone else self.video_to_text(x_cls.detach())
            sema = self.semantic_bank.losses(video_text, self.hard_labels(data_samples, x_cls.device),
                                             self.fc_video.weight)
            losses.update({name: self.sema_weight * value for name, value in sema.items()})
        return losses

    def update_text_bank(self) -> None:
        """Eq. 12's EMA, called by ``TextBankEMAHook`` after each optimizer step."""
        if self.rssa_enabled:
            self.semantic_bank.ema_update()
