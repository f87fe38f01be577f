"""FocusVideo's frame-level reconstruction contrastive loss (eqs. 16-18)."""
import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import nn


@MODELS.register_module()
class ReconstructionContrastiveLoss(nn.Module):
    """``L_recon``: the ``K`` query features of each frame, weighted by a softmax over ``K`` of their cosines,
    should match the target video's feature of that frame more than the same frame of other-class videos.

    Per sample ``n`` and frame ``t`` (eqs. 16-18)::

        s_k(X) = cos(A^R_{n,t,k}, X_t)
        c(X) = sum_k softmax_k(s(X) / tau) s_k(X)
        l_{n,t} = -log( e^{c(X^R_n)/tau} / (e^{c(X^R_n)/tau} + sum_{m: y_m != y_n} e^{c(X^R_m)/tau}) )
        L_recon = mean_n sum_t l_{n,t}

    The same ``tau`` serves both softmaxes (the paper writes one symbol). Negatives are the same frame index
    ``t`` of the batch's samples of another class (the paper: "other videos from the same batch that belong
    to different classes"; the frame pairing is our reading of "frame-level"). A sample with no negative in the
    batch contributes ``-log 1 = 0`` (finite, no gradient).

    Args:
        temperature (float): ``tau`` (the paper gives no value; 0.1, see docs/focusvideo.md).
        loss_weight (float): ``lambda_2`` (1 in the paper).

    Shapes: ``queries (N, T, K, D)``, ``targets (N, T, D)``, ``labels (N, )`` class indices (or ``(N, C)``
    one-hot / soft labels, compared by their arg-max) -> scalar.
    """

    def __init__(self, temperature: float = 0.1, loss_weight: float = 1.0):
        super().__init__()
        if temperature <= 0:
            raise ValueError(f'temperature must be positive, got {temperature}')
        self.temperature = temperature
        self.loss_weight = loss_weight

    def forward(self, queries: torch.Tensor, targets: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if queries.dim() != 4 or targets.dim() != 3 or queries.shape[:2] != targets.shape[:2] \
                or queries.shape[-1] != targets.shape[-1]:
            raise ValueError(f'ReconstructionContrastiveLoss: queries (N, T, K, D) and targets (N, T, D) must agree, '
                             f'got {tuple(queries.shape)} and {tuple(targets.shape)}')
        if labels.dim() > 1:
            labels = labels.argmax(dim=-1)
        tau = self.temperature
        cosines = torch.einsum('ntkd,mtd->nmtk', F.normalize(queries.float(), dim=-1),
                               F.normalize(targets.float(), dim=-1))
        weighted = (torch.softmax(cosines / tau, dim=-1) * cosines).sum(dim=-1) / tau  # (N, M, T): c / tau
        samples = labels.shape[0]
        candidates = (labels[:, None] != labels[None, :]) | torch.eye(samples, dtype=torch.bool, device=labels.device)
        log_denominator = weighted.masked_fill(~candidates[:, :, None], float('-inf')).logsumexp(dim=1)  # (N, T)
        positive = weighted.diagonal(dim1=0, dim2=1).transpose(0, 1)  # (N, T)
        return self.loss_weight * (log_denominator - positive).sum(dim=1).mean()
