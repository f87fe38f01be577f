"""Normalisation of token sequences ``(N, L, C)`` by batch statistics."""
import torch
from torch import nn


class TokenBatchNorm(nn.BatchNorm1d):
    """BatchNorm over the channels of ``(N, L, C)`` tokens: each channel normalised over the batch and the tokens
    (as ``BatchNorm3d`` over the ``(N, C, T, H, W)`` map the tokens were flattened from), where ``LayerNorm``
    normalises each token over its own channels. Same arguments and state as ``BatchNorm1d``.

    Shapes:
        ``(N, L, C)`` -> ``(N, L, C)``.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != self.num_features:
            raise ValueError(f'TokenBatchNorm({self.num_features}): expected tokens (N, L, {self.num_features}), '
                             f'got {tuple(x.shape)}')
        return super().forward(x.transpose(1, 2)).transpose(1, 2)
