"""Spatio-temporal focal modulation (Video-FocalNets, Wasim et al., ICCV 2023).

A token's output is its query modulated by two context summaries: one spatial
(hierarchical depthwise 2D convs within the frame) and one temporal
(hierarchical dense 1D convs along time at the same position), each gated per
level and completed with a global average, then mixed by a pointwise layer::

    out = proj(q * h(sum_l g_s[l] * ctx_s[l]) * h_t(sum_l g_t[l] * ctx_t[l]))

Submodule names follow the official implementation so that its checkpoints map
one to one (see ``docs/video_focalnet.md``).
"""

import torch
import torch.nn.functional as F
from torch import nn


def _focal_levels(layers: nn.ModuleList, ctx: torch.Tensor, gates: torch.Tensor,
                  global_dims) -> torch.Tensor:
    """Gated sum of hierarchical contexts plus a gated global context.

    Args:
        layers: one ``conv -> GELU`` per focal level, each applied to the previous level's output.
        ctx (Tensor): ``(N, C, *S)`` context before the first level.
        gates (Tensor): ``(N, L + 1, *S)`` raw (ungated by any activation) per-level weights.
        global_dims (tuple[int]): the dims of ``S`` the global context averages over.

    Returns:
        Tensor: ``(N, C, *S)``.
    """
    aggregated = 0
    for level, layer in enumerate(layers):
        ctx = layer(ctx)
        aggregated = aggregated + ctx * gates[:, level:level + 1]
    global_ctx = F.gelu(ctx.mean(global_dims, keepdim=True))
    return aggregated + global_ctx * gates[:, len(layers):]


class SpatioTemporalFocalModulation(nn.Module):
    """Focal modulation over space and (optionally) time.

    Args:
        dims (int): Channels ``C``.
        num_frames (int): Frames ``T`` per video; the batch holds ``B * T``
            frames with ``t`` varying fastest. Ignored when ``temporal=False``.
        focal_level (int): Hierarchy levels ``L``. Defaults to 2.
        focal_window (int): Kernel of the first level; level ``k`` uses
            ``focal_factor * k + focal_window``. Defaults to 3 (kernels 3, 5).
        focal_factor (int): Kernel growth per level. Defaults to 2.
        normalize_modulator (bool): Divide the aggregated contexts by
            ``L + 1``. Defaults to False.
        use_postln_in_modulation (bool): LayerNorm after the modulation,
            before ``proj``. Defaults to False.
        proj_drop (float): Dropout after ``proj``. Defaults to 0.
        temporal (bool): Build the temporal branch. Without it this is the
            image FocalNet's modulation applied frame by frame. Defaults to True.

    Shape:
        ``(B * T, H, W, C) -> (B * T, H, W, C)`` (channels last).
    """

    def __init__(self, dims: int, num_frames: int = 8, focal_level: int = 2, focal_window: int = 3,
                 focal_factor: int = 2, normalize_modulator: bool = False,
                 use_postln_in_modulation: bool = False, proj_drop: float = 0.0, temporal: bool = True):
        super().__init__()
        self.dims, self.num_frames, self.focal_level = dims, num_frames, focal_level
        self.normalize_modulator, self.temporal = normalize_modulator, temporal
        kernels = [focal_factor * k + focal_window for k in range(focal_level)]

        self.f = nn.Linear(dims, 2 * dims + focal_level + 1)  # -> [q | ctx | gates]
        self.focal_layers = nn.ModuleList(
            nn.Sequential(nn.Conv2d(dims, dims, k, padding=k // 2, groups=dims, bias=False), nn.GELU())
            for k in kernels)
        self.h = nn.Conv2d(dims, dims, 1)
        if temporal:
            self.f_temporal = nn.Linear(dims, dims + focal_level + 1)  # -> [ctx | gates], query shared
            # Dense over channels (groups=1), unlike the depthwise spatial convs: as in the official code.
            self.focal_layers_temporal = nn.ModuleList(
                nn.Sequential(nn.Conv1d(dims, dims, k, padding=k // 2, bias=False), nn.GELU()) for k in kernels)
            self.h_temporal = nn.Conv1d(dims, dims, 1)
        self.ln = nn.LayerNorm(dims) if use_postln_in_modulation else None
        self.proj = nn.Linear(dims, dims)
        self.proj_drop = nn.Dropout(proj_drop)

    def temporal_modulator(self, x: torch.Tensor) -> torch.Tensor:
        """``(B*T, H, W, C) -> (B*T, C, H, W)``: ``h_t`` of the temporal context."""
        bt, height, width, channels = x.shape
        frames = self.num_frames
        # (b t) h w c -> (b h w) t c: every spatial position becomes a sequence over time.
        seq = x.view(bt // frames, frames, height * width, channels).transpose(1, 2)
        seq = self.f_temporal(seq.reshape(-1, frames, channels)).transpose(1, 2)  # (BHW, C+L+1, T)
        ctx, gates = seq.split((channels, self.focal_level + 1), 1)
        aggregated = _focal_levels(self.focal_layers_temporal, ctx, gates, (2, ))
        if self.normalize_modulator:
            aggregated = aggregated / (self.focal_level + 1)
        modulator = self.h_temporal(aggregated)  # (BHW, C, T)
        modulator = modulator.view(bt // frames, height * width, channels, frames).permute(0, 3, 2, 1)
        return modulator.reshape(bt, channels, height, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.temporal and x.shape[0] % self.num_frames:
            raise ValueError(f'SpatioTemporalFocalModulation: batch of {x.shape[0]} frames is not a multiple '
                             f'of num_frames={self.num_frames}')
        channels = self.dims
        q, ctx, gates = self.f(x).permute(0, 3, 1, 2).split((channels, channels, self.focal_level + 1), 1)
        aggregated = _focal_levels(self.focal_layers, ctx, gates, (2, 3))
        if self.normalize_modulator:
            aggregated = aggregated / (self.focal_level + 1)
        out = q * self.h(aggregated)
        if self.temporal:
            out = out * self.temporal_modulator(x)
        out = out.permute(0, 2, 3, 1)
        if self.ln is not None:
            out = self.ln(out)
        return self.proj_drop(self.proj(out))

    def extra_repr(self) -> str:
        return (f'dims={self.dims}, num_frames={self.num_frames}, focal_level={self.focal_level}, '
                f'temporal={self.temporal}, normalize_modulator={self.normalize_modulator}')
