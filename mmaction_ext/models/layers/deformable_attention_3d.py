"""Multi-scale deformable attention over spatio-temporal feature maps, and its transformer encoder.

Deformable DETR's attention (each query samples a few points per head and level around a reference
point, weighted by softmaxed weights it predicts itself) extended from ``(x, y)`` to ``(x, y, t)``:
levels are ``(T_l, H_l, W_l)`` maps and sampling is trilinear with zero padding. mmcv's
``MultiScaleDeformableAttention`` and mmdet's ``DeformableDetrTransformerEncoder`` are 2-D only, so
this file adds the third axis; the rest (FFN, norms) are mmcv's.

Shapes: ``B`` batch, ``S = sum_l T_l * H_l * W_l`` flattened tokens of all levels (level by level,
each in ``t, h, w`` order), ``Q`` queries, ``M`` heads, ``L`` levels, ``P`` points per head and level.
Locations are normalised to ``[0, 1]`` in ``(x, y, t)`` order; ``0`` is the first pixel's outer edge,
so pixel ``i`` of ``n`` sits at ``(i + 0.5) / n`` (``align_corners=False``).
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import build_norm_layer
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule, ModuleList
from torch import Tensor, nn

Shapes = Sequence[Tuple[int, int, int]]


def _axis_corners(coords: Tensor, sizes: Tensor, stride: Tensor) -> Tuple[Tensor, Tensor]:
    """Linear interpolation along one axis with zero padding (``align_corners=False``).

    ``coords (..., L, P)`` in ``[0, 1]``, ``sizes (L, 1)`` cells per level, ``stride (L, 1)`` the table rows
    one cell step moves. Returns the two neighbouring cells as row offsets ``(..., 2, L, P)`` (int32, clamped
    into the level so every row exists) and their weights ``(..., 2, L, P)``, zero for a cell outside. The
    corner axis sits before ``(L, P)`` so that the broadcasts over corners run over contiguous ``L * P`` rows.
    """
    pixels = coords * sizes - 0.5
    low = pixels.floor()
    frac = pixels - low
    cells = torch.stack([low, low + 1], -3)
    weights = torch.stack([1 - frac, frac], -3) * ((cells >= 0) & (cells < sizes))
    cells = cells.clamp_(min=0).minimum(sizes - 1).to(torch.int32)
    return cells * stride.to(torch.int32), weights


def _sample_gather(value: Tensor, shapes: Shapes, sampling_locations: Tensor, attention_weights: Tensor) -> Tensor:
    """The ``'gather'`` path: every point's 8 trilinear corners as rows of one ``(B S M, C_h)`` table (``value``
    reshaped without a copy) and their weights times the attention weight, summed by one ``embedding_bag``
    per ``(query, head)``. The CPU ``grid_sample`` 3-D kernel reads a corner's channels with a stride of the
    whole map; here each corner is one contiguous row."""
    batch, num_tokens, num_heads, head_dims = value.shape
    num_queries = sampling_locations.shape[1]
    if batch * num_tokens * num_heads >= 2**31:
        raise ValueError(f'ms_deform_attn_3d: {batch * num_tokens * num_heads} value rows exceed the gather '
                         "path's int32 indices; use impl='grid_sample'")
    new = sampling_locations.new_tensor
    t_sizes, h_sizes, w_sizes = (new([shape[axis] for shape in shapes])[:, None] for axis in range(3))
    x, y, t = sampling_locations.unbind(-1)  # (B, Q, M, L, P) each
    # table row of (b, token, m) = (b * S + token) * M + m; token = start_l + (t * H_l + y) * W_l + x
    x_rows, x_weights = _axis_corners(x, w_sizes, new([num_heads] * len(shapes))[:, None])
    y_rows, y_weights = _axis_corners(y, h_sizes, w_sizes * num_heads)
    t_rows, t_weights = _axis_corners(t, t_sizes, h_sizes * w_sizes * num_heads)  # (B, Q, M, 2, L, P) each
    starts = torch.tensor([0] + [t_ * h * w for t_, h, w in shapes][:-1], device=value.device).cumsum(0)
    base = (torch.arange(batch, device=value.device)[:, None, None] * num_tokens + starts) * num_heads  # (B, 1, L)
    base = (base + torch.arange(num_heads, device=value.device)[:, None]).to(torch.int32)  # (B, M, L)
    t_rows = t_rows + base[:, None, :, None, :, None]
    # (B, Q, M, 2t, 2y, 2x, L, P)
    rows = (t_rows[..., :, None, :, :] + y_rows[..., None, :, :, :])[..., None, :, :] + x_rows[..., None, None, :, :, :]
    weights = (attention_weights[..., None, :, :] * t_weights)[..., :, None, :, :] * y_weights[..., None, :, :, :]
    weights = weights[..., None, :, :] * x_weights[..., None, None, :, :, :]
    output = F.embedding_bag(rows.reshape(batch * num_queries * num_heads, -1),
                             value.reshape(-1, head_dims), mode='sum',
                             per_sample_weights=weights.reshape(batch * num_queries * num_heads, -1))
    return output.view(batch, num_queries, num_heads * head_dims)


def _sample_grid(value: Tensor, shapes: Shapes, sampling_locations: Tensor, attention_weights: Tensor) -> Tensor:
    """The ``'grid_sample'`` path (the reference): one 5-D ``grid_sample`` per level."""
    batch, _, num_heads, head_dims = value.shape
    num_queries = sampling_locations.shape[1]
    levels = value.split([t * h * w for t, h, w in shapes], dim=1)
    grids = 2 * sampling_locations - 1  # grid_sample's [-1, 1], (x, y, t) is its (W, H, D) order
    output = value.new_zeros(batch * num_heads, head_dims, num_queries)
    for level, ((t, h, w), level_value) in enumerate(zip(shapes, levels)):
        # (B, T_l H_l W_l, M, C_h) -> (B M, C_h, T_l, H_l, W_l)
        level_value = level_value.permute(0, 2, 3, 1).reshape(batch * num_heads, head_dims, t, h, w)
        # (B, Q, M, P, 3) -> (B M, Q, P, 1, 3)
        grid = grids[:, :, :, level].transpose(1, 2).reshape(batch * num_heads, num_queries, -1, 1, 3)
        sampled = F.grid_sample(level_value, grid, mode='bilinear', padding_mode='zeros',
                                align_corners=False)[..., 0]  # (B M, C_h, Q, P)
        weights = attention_weights[:, :, :, level].transpose(1, 2).reshape(batch * num_heads, 1, num_queries, -1)
        output = output + (sampled * weights).sum(-1)
    return output.view(batch, num_heads * head_dims, num_queries).transpose(1, 2)


SAMPLING_IMPLS = ('auto', 'grid_sample', 'gather')
GATHER_CORNERS = 2**22  # trilinear corners per gather call (bounds its 2 x 16 MB index / weight tables)


def ms_deform_attn_3d(value: Tensor, shapes: Shapes, sampling_locations: Tensor, attention_weights: Tensor,
                      chunk_size: Optional[int] = None, impl: str = 'auto') -> Tensor:
    """Deformable attention core in pure PyTorch (trilinear sampling, zero padding).

    Args:
        value (Tensor): ``(B, S, M, C_h)`` projected values of all levels.
        shapes (Sequence[tuple]): ``L`` level shapes ``(T_l, H_l, W_l)``.
        sampling_locations (Tensor): ``(B, Q, M, L, P, 3)`` in ``[0, 1]``, ``(x, y, t)``.
        attention_weights (Tensor): ``(B, Q, M, L, P)``, already normalised.
        chunk_size (int, optional): Process at most this many queries at once: the sampled values
            (``'grid_sample'``: ``(B * M, C_h, Q, P)`` per level; ``'gather'``: 8 corner rows and weights per
            point) are the largest intermediates, so this bounds peak memory (the gather path also caps
            itself at ``GATHER_CORNERS`` corners per call).
        impl (str): ``'grid_sample'`` (the reference: 5-D ``grid_sample``, grid ``2 * loc - 1``), ``'gather'``
            (the same values through one ``embedding_bag``, tested equal; about 3x faster on CPU in inference,
            1.2x slower in backward: ``benchmarks/RESULTS.md``), ``'auto'``: ``'gather'`` when no gradient is
            needed, else ``'grid_sample'``.

    Returns:
        Tensor: ``(B, Q, M * C_h)``.
    """
    if impl not in SAMPLING_IMPLS:
        raise ValueError(f'ms_deform_attn_3d: impl must be one of {SAMPLING_IMPLS}, got {impl!r}')
    num_tokens = value.shape[1]
    num_queries = sampling_locations.shape[1]
    expected = sum(t * h * w for t, h, w in shapes)
    if expected != num_tokens:
        raise ValueError(f'ms_deform_attn_3d: value has {num_tokens} tokens, the level shapes {list(shapes)} '
                         f'give {expected}')
    if impl == 'auto':
        needs_grad = torch.is_grad_enabled() and any(
            tensor.requires_grad for tensor in (value, sampling_locations, attention_weights))
        impl = 'grid_sample' if needs_grad else 'gather'
    if impl == 'gather':  # past a few MB the corner tables fall out of cache: 1.6x slower unchunked (66k queries)
        corners_per_query = value.shape[0] * attention_weights[0, 0].numel() * 8
        gather_chunk = max(1, GATHER_CORNERS // corners_per_query)
        chunk_size = gather_chunk if chunk_size is None else min(chunk_size, gather_chunk)
    if chunk_size is not None and chunk_size < num_queries:
        return torch.cat([
            ms_deform_attn_3d(value, shapes, sampling_locations[:, start:start + chunk_size],
                              attention_weights[:, start:start + chunk_size], impl=impl)
            for start in range(0, num_queries, chunk_size)], dim=1)
    sample = _sample_gather if impl == 'gather' else _sample_grid
    return sample(value, shapes, sampling_locations, attention_weights)


class MultiScaleDeformableAttention3D(BaseModule):
    """Multi-scale deformable attention with ``(dx, dy, dt)`` offsets (CSA, supplementary Sec. C).

    Args:
        embed_dims (int): Channels ``C``. Defaults to 256.
        num_heads (int): Heads ``M``. Defaults to 8.
        num_levels (int): Levels ``L``. Defaults to 4.
        num_points (int): Points ``P`` per head and level. Defaults to 8 (CSA's configs).
        offset_normalizer (str): ``'whT'`` divides the ``(dx, dy, dt)`` offsets by ``(W_l, H_l, T_l)``
            (one unit = one cell of the level); ``'official'`` divides them by ``(T_l, W_l, H_l)``, as
            CSA's released code does (an axis mix-up; use it to run the released weights exactly).
        chunk_size (int, optional): Queries processed at once (bounds peak memory); None: all.
        sampling_impl (str): :func:`ms_deform_attn_3d`'s ``impl``: ``'auto'`` (default), ``'grid_sample'``
            or ``'gather'``.
        dropout (float): Dropout on the output (before the residual, as mmcv). Defaults to 0.1.
        batch_first (bool): Only True is supported (mmdet's convention).

    The sampling-offset bias starts as in Deformable DETR, with the third axis added: the heads'
    ``(x, y)`` directions go round a circle twice (``M / 2`` angles), the first half of the heads
    also points one step forward in time and the second half stays in its frame; point ``p`` sits
    ``p + 1`` steps out (CSA's ``MSDeformAttn3D`` initialisation).
    """

    def __init__(self, embed_dims: int = 256, num_heads: int = 8, num_levels: int = 4, num_points: int = 8,
                 offset_normalizer: str = 'whT', chunk_size: Optional[int] = None, dropout: float = 0.1,
                 batch_first: bool = True, sampling_impl: str = 'auto', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if embed_dims % num_heads:
            raise ValueError(f'MultiScaleDeformableAttention3D: embed_dims {embed_dims} is not divisible by '
                             f'num_heads {num_heads}')
        if num_heads % 2:
            raise ValueError(f'MultiScaleDeformableAttention3D: num_heads must be even (half the heads start '
                             f'with a temporal offset), got {num_heads}')
        if offset_normalizer not in ('whT', 'official'):
            raise ValueError(f"offset_normalizer must be 'whT' or 'official', got {offset_normalizer!r}")
        if not batch_first:
            raise ValueError('MultiScaleDeformableAttention3D: only batch_first=True is supported')
        self.embed_dims, self.num_heads = embed_dims, num_heads
        self.num_levels, self.num_points = num_levels, num_points
        if sampling_impl not in SAMPLING_IMPLS:
            raise ValueError(f'MultiScaleDeformableAttention3D: sampling_impl must be one of {SAMPLING_IMPLS}, '
                             f'got {sampling_impl!r}')
        self.offset_normalizer, self.chunk_size, self.sampling_impl = offset_normalizer, chunk_size, sampling_impl
        self.sampling_offsets = nn.Linear(embed_dims, num_heads * num_levels * num_points * 3)
        self.attention_weights = nn.Linear(embed_dims, num_heads * num_levels * num_points)
        self.value_proj = nn.Linear(embed_dims, embed_dims)
        self.output_proj = nn.Linear(embed_dims, embed_dims)
        self.dropout = nn.Dropout(dropout)
        self.reset_parameters()

    @staticmethod
    def initial_offsets(num_heads: int, num_levels: int, num_points: int) -> Tensor:
        """The ``(M, L, P, 3)`` starting offsets (see the class docstring)."""
        half = num_heads // 2
        angles = torch.arange(half, dtype=torch.float32).repeat(2) * (2 * math.pi / half)
        forward_in_time = (torch.arange(num_heads) < half).float()
        directions = torch.stack([angles.cos(), angles.sin(), forward_in_time], -1)
        directions = directions / directions.abs().max(-1, keepdim=True).values
        steps = torch.arange(1, num_points + 1, dtype=torch.float32).view(1, 1, -1, 1)
        return directions.view(num_heads, 1, 1, 3) * steps.expand(1, num_levels, -1, 1)

    def reset_parameters(self) -> None:
        nn.init.zeros_(self.sampling_offsets.weight)
        with torch.no_grad():
            self.sampling_offsets.bias.copy_(
                self.initial_offsets(self.num_heads, self.num_levels, self.num_points).flatten())
        nn.init.zeros_(self.attention_weights.weight)
        nn.init.zeros_(self.attention_weights.bias)
        for linear in (self.value_proj, self.output_proj):
            nn.init.xavier_uniform_(linear.weight)
            nn.init.zeros_(linear.bias)

    def init_weights(self) -> None:
        """Deformable DETR's initialisation unless an ``init_cfg`` says otherwise."""
        if self.init_cfg:
            super().init_weights()
        else:
            self.reset_parameters()

    def sampling_locations(self, query: Tensor, reference_points: Tensor, shapes: Shapes) -> Tensor:
        """``(B, Q, M, L, P, 3)`` locations from ``(B, Q, 3)`` (or ``(B, Q, L, 3)``) reference points."""
        batch, num_queries, _ = query.shape
        offsets = self.sampling_offsets(query).view(batch, num_queries, self.num_heads, self.num_levels,
                                                    self.num_points, 3)
        sizes = query.new_tensor(shapes)  # (L, 3) as (T, H, W)
        order = [2, 1, 0] if self.offset_normalizer == 'whT' else [0, 2, 1]
        normalizer = sizes[:, order]  # divides (dx, dy, dt)
        if reference_points.dim() == 3:
            reference_points = reference_points[:, :, None].expand(-1, -1, self.num_levels, -1)
        return reference_points[:, :, None, :, None] + offsets / normalizer[None, None, None, :, None]

    def forward(self, query: Tensor, value: Tensor, reference_points: Tensor, shapes: Shapes,
                query_pos: Optional[Tensor] = None, identity: Optional[Tensor] = None) -> Tensor:
        """Attend from ``query (B, Q, C)`` to ``value (B, S, C)``; returns ``identity + dropout(out)``.

        ``reference_points``: ``(B, Q, 3)`` or ``(B, Q, L, 3)`` in ``[0, 1]``, ``(x, y, t)``; ``shapes``:
        the ``L`` level shapes ``(T_l, H_l, W_l)`` of ``value``; ``query_pos`` is added to the query
        (not to the identity), as in mmcv.
        """
        if len(shapes) != self.num_levels:
            raise ValueError(f'MultiScaleDeformableAttention3D: {len(shapes)} level shapes given, the module '
                             f'was built for num_levels={self.num_levels}')
        identity = query if identity is None else identity
        if query_pos is not None:
            query = query + query_pos
        batch, num_queries, _ = query.shape
        projected = self.value_proj(value).view(batch, value.shape[1], self.num_heads, -1)
        weights = self.attention_weights(query).view(batch, num_queries, self.num_heads, -1).softmax(-1)
        weights = weights.view(batch, num_queries, self.num_heads, self.num_levels, self.num_points)
        locations = self.sampling_locations(query, reference_points, shapes)
        output = ms_deform_attn_3d(projected, shapes, locations, weights, self.chunk_size, self.sampling_impl)
        return identity + self.dropout(self.output_proj(output))


def level_reference_points(shapes: Shapes, device=None) -> Tensor:
    """``(S, 3)`` centres ``((w + 0.5) / W_l, (h + 0.5) / H_l, (t + 0.5) / T_l)`` of every token, level
    by level (no padding masks: every clip of a batch has the same size)."""
    points = []
    for t, h, w in shapes:
        axes = [(torch.arange(n, dtype=torch.float32, device=device) + 0.5) / n for n in (t, h, w)]
        grid_t, grid_y, grid_x = torch.meshgrid(*axes, indexing='ij')
        points.append(torch.stack([grid_x, grid_y, grid_t], -1).reshape(-1, 3))
    return torch.cat(points)


class DeformableEncoderLayer3D(BaseModule):
    """Post-norm encoder layer: 3-D deformable self-attention, then mmcv's FFN (Deformable DETR's).

    Args:
        self_attn_cfg (dict): :class:`MultiScaleDeformableAttention3D` arguments.
        ffn_cfg (dict): mmcv ``FFN`` arguments. Defaults to 256 -> 2048 -> 256, ReLU, dropout 0.1.
        norm_cfg (dict): Defaults to LayerNorm.
    """

    def __init__(self, self_attn_cfg: Optional[dict] = None, ffn_cfg: Optional[dict] = None,
                 norm_cfg: Optional[dict] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.self_attn = MultiScaleDeformableAttention3D(**(self_attn_cfg or {}))
        embed_dims = self.self_attn.embed_dims
        ffn = dict(embed_dims=embed_dims, feedforward_channels=2048, num_fcs=2, ffn_drop=0.1,
                   act_cfg=dict(type='ReLU', inplace=True))
        ffn.update(ffn_cfg or {})
        self.ffn = FFN(**ffn)
        norm_cfg = norm_cfg or dict(type='LN')
        self.norms = ModuleList([build_norm_layer(norm_cfg, embed_dims)[1] for _ in range(2)])

    def forward(self, query: Tensor, query_pos: Tensor, reference_points: Tensor, shapes: Shapes) -> Tensor:
        query = self.norms[0](self.self_attn(query, query, reference_points, shapes, query_pos=query_pos))
        return self.norms[1](self.ffn(query))


class DeformableEncoder3D(BaseModule):
    """A stack of :class:`DeformableEncoderLayer3D` over flattened multi-level spatio-temporal maps.

    Args:
        num_layers (int): Layers (CSA: 6 on AVA, 3 on JHMDB / UCF101-24).
        layer_cfg (dict): :class:`DeformableEncoderLayer3D` arguments.
    """

    def __init__(self, num_layers: int = 6, layer_cfg: Optional[dict] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.layers = ModuleList([DeformableEncoderLayer3D(**(layer_cfg or {})) for _ in range(num_layers)])
        self.embed_dims = self.layers[0].self_attn.embed_dims if num_layers else None

    def forward(self, query: Tensor, query_pos: Tensor, shapes: Shapes) -> Tensor:
        """``query``, ``query_pos``: ``(B, S, C)``; ``shapes``: the level shapes. Returns ``(B, S, C)``."""
        reference_points = level_reference_points(shapes, query.device)[None].expand(query.shape[0], -1, -1)
        for layer in self.layers:
            query = layer(query, query_pos, reference_points, shapes)
        return query


def sine_positional_encoding_3d(shape: Tuple[int, int, int], embed_dims: int, temperature: float = 10000.,
                                official_frequencies: bool = True, device=None) -> Tensor:
    """``(C, T, H, W)`` sine encoding of the normalised ``t, y, x`` coordinates (scaled to ``2 pi``),
    with ``C / 4`` channels for ``t`` and ``3 C / 8`` each for ``y`` and ``x`` (CSA / TubeR's split).

    ``official_frequencies``: channel ``i`` of an axis with ``n`` channels uses ``temperature ** (i / n)``
    (CSA / TubeR divide ``i`` by 2 with true division); False uses DETR's ``2 * (i // 2) / n``, which
    gives each sine its cosine at the same frequency.
    """
    if embed_dims % 8:
        raise ValueError(f'sine_positional_encoding_3d: embed_dims must be a multiple of 8, got {embed_dims}')
    parts = []
    for axis, (size, channels) in enumerate(zip(shape, (embed_dims // 4, embed_dims * 3 // 8, embed_dims * 3 // 8))):
        coords = torch.arange(1, size + 1, dtype=torch.float32, device=device) / (size + 1e-6) * 2 * math.pi
        index = torch.arange(channels, dtype=torch.float32, device=device)
        exponent = index / channels if official_frequencies else 2 * torch.div(index, 2, rounding_mode='floor') / channels
        angles = coords[:, None] / temperature ** exponent  # (size, channels)
        encoding = torch.stack([angles[:, 0::2].sin(), angles[:, 1::2].cos()], -1).flatten(1)
        view = [1, 1, 1, channels]
        view[axis] = size
        parts.append(encoding.view(view).expand(*shape, channels))
    return torch.cat(parts, -1).permute(3, 0, 1, 2).contiguous()


__all__ = ['ms_deform_attn_3d', 'MultiScaleDeformableAttention3D', 'DeformableEncoderLayer3D', 'DeformableEncoder3D',
           'level_reference_points', 'sine_positional_encoding_3d']
