"""ART's text-constrained semantic bank (Sec. III-E): the bank S read by the model, the agent bank S^a trained
by the video and prototype consistency losses (eqs. 13-17), and the EMA that moves S towards S^a (eq. 12)."""
import math
import os.path as osp
import warnings
from typing import Optional, Sequence, Union

import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger
from torch import nn

from mmaction_ext.models.layers.text_bank import load_text_bank

FINETUNE_LOSSES = ('video', 'prototype')
PROTOTYPE_SOURCES = ('separate', 'classifier')


def template_max_scores(video_text: torch.Tensor, bank: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    """Eq. 13: ``scale * max_j cos(video_n, bank_{i,j})``; ``video_text (N, C_t)``, ``bank (N_class, N_prom, C_t)``
    -> ``(N, N_class)``."""
    cos = torch.einsum('nc,ijc->nij', F.normalize(video_text, dim=-1), F.normalize(bank, dim=-1))
    return scale * cos.max(dim=-1).values


class ARTSemanticBank(nn.Module):
    """The bank ``S (N_class, N_prom, C_t)`` (a buffer: no gradient reaches it, eq. 12), its agent ``S^a`` (a
    parameter, initialised from ``S^0``) and the class prototypes ``W`` of eq. 15.

    Args:
        num_classes (int): ``N_class``.
        num_prompts (int): ``N_prom`` (16: ActionCLIP's templates).
        text_channels (int): ``C_t`` (512 for CLIP B/16, 768 for L/14).
        prototype_channels (int): ``D`` of ``W (N_class, D)`` (the video feature width).
        text_bank (str, optional): A bank file of ``tools/build_text_bank.py``, read by :meth:`init_bank`.
        allow_random_bank (bool): Without a bank file, start from a random normalised bank (tests, ablations)
            instead of raising.
        finetune_losses (Sequence[str]): ``'video'`` (eqs. 13-14) and / or ``'prototype'`` (eqs. 15-16);
            empty: ``S`` stays ``S^0`` (Table VI row 1) and there is no agent.
        prototype_source (str): ``'separate'`` (a learnable ``W``, the paper: "decoupled from the prediction
            head") or ``'classifier'`` (the detached weight of the ``x_cls`` classifier, passed to
            :meth:`prototype_logits`).
        momentum (float): ``mu`` of eq. 12 (0.999: the paper gives none), applied by ``TextBankEMAHook``.
        logit_scale (float | str): Multiplies the cosines of eqs. 14/16: ``'learnable'`` (CLIP's
            ``log(1/0.07)`` start, clamped at 100; fixed at that start when no fine-tuning loss trains it) or a
            fixed number (1.0 = the printed equations).
    """

    def __init__(self, num_classes: int, num_prompts: int, text_channels: int, prototype_channels: int,
                 text_bank: Optional[str] = None, allow_random_bank: bool = False,
                 finetune_losses: Sequence[str] = FINETUNE_LOSSES, prototype_source: str = 'separate',
                 momentum: float = 0.999, logit_scale: Union[float, str] = 'learnable'):
        super().__init__()
        unknown = set(finetune_losses) - set(FINETUNE_LOSSES)
        if unknown:
            raise ValueError(f'finetune_losses {sorted(unknown)}: choose from {FINETUNE_LOSSES}')
        if prototype_source not in PROTOTYPE_SOURCES:
            raise ValueError(f'prototype_source={prototype_source!r}: choose one of {PROTOTYPE_SOURCES}')
        if not 0 <= momentum <= 1:
            raise ValueError(f'momentum={momentum}: must lie in [0, 1]')
        self.num_classes, self.num_prompts, self.text_channels = num_classes, num_prompts, text_channels
        self.text_bank, self.allow_random_bank = text_bank, allow_random_bank
        self.finetune_losses = tuple(finetune_losses)
        self.prototype_source, self.momentum = prototype_source, momentum
        self.register_buffer('bank', torch.zeros(num_classes, num_prompts, text_channels))
        self.agent = nn.Parameter(torch.zeros(num_classes, num_prompts, text_channels)) \
            if self.finetune_losses else None
        self.prototypes = None
        if 'prototype' in self.finetune_losses:
            if prototype_source == 'separate':
                self.prototypes = nn.Parameter(torch.randn(num_classes, prototype_channels) * 0.02)
            self.prototype_mlp = nn.Sequential(nn.Linear(prototype_channels, text_channels), nn.GELU(),
                                               nn.Linear(text_channels, text_channels))
        if logit_scale == 'learnable' and self.finetune_losses:
            self.log_logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))
        else:
            start = 1 / 0.07 if logit_scale == 'learnable' else float(logit_scale)
            self.register_buffer('log_logit_scale', torch.tensor(math.log(start)), persistent=False)

    # ------------------------------------------------------------------------------------------- S^0
    def init_bank(self) -> None:
        """Fill ``S`` and ``S^a`` with ``S^0`` from ``text_bank`` (checked against the configured shape)."""
        if self.text_bank is None or not osp.isfile(self.text_bank):
            where = 'no text_bank is configured' if self.text_bank is None else f'{self.text_bank} does not exist'
            if not self.allow_random_bank:
                raise FileNotFoundError(
                    f'ART needs its text bank S^0 and {where}: build it with tools/build_text_bank.py CLIP_WEIGHTS '
                    'CLASS_NAMES OUT.pth, or set allow_random_bank=True to start from a random bank')
            warnings.warn(f'{where}: ART starts from a random text bank (allow_random_bank=True)')
            bank = F.normalize(torch.randn(self.num_classes, self.num_prompts, self.text_channels), dim=-1)
        else:
            content = load_text_bank(self.text_bank)
            bank = content['bank']
            expected = (self.num_classes, self.num_prompts, self.text_channels)
            if tuple(bank.shape) != expected:
                raise ValueError(f'text bank {self.text_bank} is (classes, templates, C_t) = {tuple(bank.shape)}, '
                                 f'the config expects {expected} (num_classes, num_prompts, text_channels)')
            MMLogger.get_current_instance().info(
                f'text bank S^0 from {self.text_bank}: {bank.shape[0]} classes x {bank.shape[1]} templates '
                f'(CLIP {content["clip_arch"]})')
        self.bank.copy_(bank)
        if self.agent is not None:
            self.agent.data.copy_(bank)

    # ------------------------------------------------------------------------------------------- use
    @property
    def logit_scale(self) -> torch.Tensor:
        return self.log_logit_scale.exp().clamp(max=100)

    def class_semantics(self) -> torch.Tensor:
        """``(N_class, C_t)``: the template mean of ``S``, normalised (what the queries are built from)."""
        return F.normalize(self.bank.mean(dim=1), dim=-1)

    def select(self, video_text: torch.Tensor, num_regions: int, fixed_classes: Optional[Sequence[int]] = None
               ) -> torch.Tensor:
        """``(N, K)`` class indices: the K classes whose template-mean semantics are closest (cosine) to
        ``video_text (N, C_t)``, or ``fixed_classes`` for every video. Labels are never read."""
        if fixed_classes is not None:
            return torch.as_tensor(fixed_classes, device=video_text.device).expand(video_text.shape[0], -1)
        scores = F.normalize(video_text.detach(), dim=-1) @ self.class_semantics().t()
        return scores.topk(num_regions, dim=-1).indices

    # ------------------------------------------------------------------------------------------- L_sema
    def video_logits(self, video_text: torch.Tensor) -> torch.Tensor:
        """Eq. 13: ``S_cls^i = max_j cos(video, S^a_{i,j})``, scaled: ``(N, N_class)``."""
        return template_max_scores(video_text, self.agent, self.logit_scale)

    def prototype_logits(self, classifier_weight: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Eq. 15: ``S_prot^{i,j} = mean_p cos(MLP(W)_i, S^a_{j,p})``, scaled: ``(N_class, N_class)``."""
        weight = self.prototypes if self.prototype_source == 'separate' else classifier_weight.detach()
        projected = F.normalize(self.prototype_mlp(weight), dim=-1)
        cos = torch.einsum('ic,jpc->ijp', projected, F.normalize(self.agent, dim=-1))
        return self.logit_scale * cos.mean(dim=-1)

    def losses(self, video_text: torch.Tensor, labels: torch.Tensor,
               classifier_weight: Optional[torch.Tensor] = None) -> dict:
        """``loss_sema_video`` (eq. 14) and ``loss_sema_prototype`` (eq. 16), unweighted."""
        losses = {}
        if 'video' in self.finetune_losses:
            losses['loss_sema_video'] = F.cross_entropy(self.video_logits(video_text), labels)
        if 'prototype' in self.finetune_losses:
            logits = self.prototype_logits(classifier_weight)
            losses['loss_sema_prototype'] = F.cross_entropy(logits, torch.arange(len(logits), device=logits.device))
        return losses

    @torch.no_grad()
    def ema_update(self) -> None:
        """Eq. 12: ``S <- mu S + (1 - mu) S^a`` (after each optimizer step)."""
        if self.agent is not None:
            self.bank.mul_(self.momentum).add_(self.agent.detach(), alpha=1 - self.momentum)
