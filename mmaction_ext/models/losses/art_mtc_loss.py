"""ART's multi-level tracklet contrastive loss (eqs. 5-8)."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn

TEMPORAL_MODES = ('hinge', 'abs', 'literal')


def _mean_off_diagonal(similarity: torch.Tensor) -> torch.Tensor:
    """Mean of the ``i != j`` entries of ``(..., K, K)``, over everything; 0 when ``K == 1``."""
    k = similarity.shape[-1]
    if k < 2:
        return similarity.sum() * 0
    off = similarity.sum(dim=(-2, -1)) - similarity.diagonal(dim1=-2, dim2=-1).sum(-1)
    return (off / (k * (k - 1))).mean()


@MODELS.register_module()
class MultiLevelTrackletContrastiveLoss(nn.Module):
    """``L_MTC = L_spatial + L_temporal + L_tracklet`` on region responses ``r_{t,k}``.

    - spatial (eq. 5): mean cosine between the K responses of a frame, ``i != j``: repels them.
    - temporal (eq. 6): attracts response ``k`` of frame ``t`` to response ``k`` of frame ``t + 1``. Eq. 6 as
      printed sums ``cos - lambda`` (minimising it *repels* adjacent frames, and ``- lambda`` is a constant that
      changes no gradient) over ``t = 1..T`` (indexing ``r_{T+1}``). ``temporal_mode``:
      ``'hinge'`` (default, the text's intent: "attract ... to the correlated degree lambda"):
      ``mean max(0, lambda - cos)`` over the ``K (T - 1)`` pairs; ``'abs'``: ``mean |cos - lambda|`` (pulls to
      exactly lambda); ``'literal'``: ``sum_{k, t<T} cos / (T - 1) - lambda`` as printed (``t`` up to ``T - 1``).
    - tracklet (eq. 7): mean cosine between the flattened ``(T * d)`` tracklets, ``i != j``: repels them.

    Args:
        spatial / temporal / tracklet (bool): The terms used (Table V).
        temporal_mode (str): See above.
        correlation (float): ``lambda`` (0.6, Fig. 5a).
        loss_weight (float): ``gamma_1`` of eq. 18 (5).

    Shapes: ``responses (N, T, K, d)`` -> scalar (batch mean).
    """

    def __init__(self, spatial: bool = True, temporal: bool = True, tracklet: bool = True,
                 temporal_mode: str = 'hinge', correlation: float = 0.6, loss_weight: float = 5.0):
        super().__init__()
        if temporal_mode not in TEMPORAL_MODES:
            raise ValueError(f'temporal_mode={temporal_mode!r}: choose one of {TEMPORAL_MODES}')
        self.spatial, self.temporal, self.tracklet = spatial, temporal, tracklet
        self.temporal_mode, self.correlation, self.loss_weight = temporal_mode, correlation, loss_weight

    def spatial_term(self, responses: torch.Tensor) -> torch.Tensor:
        unit = F.normalize(responses, dim=-1)
        return _mean_off_diagonal(unit @ unit.transpose(-2, -1))

    def temporal_term(self, responses: torch.Tensor) -> torch.Tensor:
        if responses.shape[1] < 2:
            return responses.sum() * 0
        cos = F.cosine_similarity(responses[:, :-1], responses[:, 1:], dim=-1)  # (N, T-1, K)
        if self.temporal_mode == 'hinge':
            return (self.correlation - cos).clamp(min=0).mean()
        if self.temporal_mode == 'abs':
            return (cos - self.correlation).abs().mean()
        return (cos.sum(dim=(1, 2)) / cos.shape[1]).mean() - self.correlation

    def tracklet_term(self, responses: torch.Tensor) -> torch.Tensor:
        tracklets = F.normalize(responses.transpose(1, 2).flatten(2), dim=-1)  # (N, K, T d)
        return _mean_off_diagonal(tracklets @ tracklets.transpose(-2, -1))

    def forward(self, responses: torch.Tensor) -> dict:
        """The weighted terms, by name (``loss_mtc_spatial``...), for the runner to sum and log."""
        if responses.dim() != 4:
            raise ValueError(f'MultiLevelTrackletContrastiveLoss expects responses (N, T, K, d), got '
                             f'{tuple(responses.shape)}')
        losses = {}
        for name in ('spatial', 'temporal', 'tracklet'):
            if getattr(self, name):
                losses[f'loss_mtc_{name}'] = self.loss_weight * getattr(self, f'{name}_term')(responses)
        return losses
