"""FocusVideo (Wang et al., "Action Detail Matters: Refining Video Recognition with Local Action Queries").

The global branch is :class:`~mmaction_ext.models.backbones.clip_vit.CLIPViT` (frozen CLIP + ST-Adapters,
eqs. 1-3). This file adds the local branch: learnable action queries ``A (T, K, C)`` that read every frame
through the frozen attention of each block (the parameter-free interaction, eqs. 4-11), one Query-Propagation
layer applied after each chosen block (eqs. 12-13), and a spatio-temporal self-attention over the ``T K``
queries (eqs. 14-15). Every default's source is in docs/focusvideo.md.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmcv.cnn.bricks.transformer import FFN
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import nn

from mmaction_ext.models.layers.clip_vision import attention_with_extra_queries, packed_attention

from .clip_vit import CLIPViT

INTERACTIONS = ('none', 'attention', 'attention_tad', 'attention_ffn')  # Table 3d


class QueryPropagationLayer(BaseModule):
    """Eqs. 12-13, per frame: ``A~ = A + MHCA(LN(A), LN(A_FI))``, ``A_QP = A~ + FFN(LN(A~))``.

    Args:
        embed_dims (int): ``C``.
        num_heads (int): 8 in the paper (Sec. 4.1).
        feedforward_channels (int): FFN hidden width; ``C`` in the paper ("hidden dimension equals the input").

    Shapes: ``queries (B T, K, C)``, ``context (B T, M, C)`` (``M = K`` for ``A_FI``, the frame's tokens when the
    interaction is off) -> ``(B T, K, C)``.
    """

    def __init__(self, embed_dims: int, num_heads: int = 8, feedforward_channels: Optional[int] = None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.norm_query = nn.LayerNorm(embed_dims)
        self.norm_context = nn.LayerNorm(embed_dims)
        self.cross_attn = nn.MultiheadAttention(embed_dims, num_heads, batch_first=True)
        self.norm_ffn = nn.LayerNorm(embed_dims)
        self.ffn = FFN(embed_dims, feedforward_channels or embed_dims, act_cfg=dict(type='GELU'))

    def forward(self, queries: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
        queries = queries + packed_attention(self.cross_attn, self.norm_query(queries), self.norm_context(context))[0]
        return self.ffn(self.norm_ffn(queries), identity=queries)


class LocalSpatioTemporalLayer(BaseModule):
    """Eqs. 14-15: a pre-norm transformer layer over all ``T K`` queries of a clip.

    Shapes: ``(B, T K, C)`` -> ``(B, T K, C)``.
    """

    def __init__(self, embed_dims: int, num_heads: int = 8, feedforward_channels: Optional[int] = None,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.norm_attn = nn.LayerNorm(embed_dims)
        self.self_attn = nn.MultiheadAttention(embed_dims, num_heads, batch_first=True)
        self.norm_ffn = nn.LayerNorm(embed_dims)
        self.ffn = FFN(embed_dims, feedforward_channels or embed_dims, act_cfg=dict(type='GELU'))

    def forward(self, queries: torch.Tensor) -> torch.Tensor:
        queries = queries + packed_attention(self.self_attn, self.norm_attn(queries))[0]
        return self.ffn(self.norm_ffn(queries), identity=queries)


def propagation_layer_indices(layers: Union[str, Sequence[int]], num_layers: int) -> Tuple[int, ...]:
    """Blocks after which the QP layer runs (Table 3c): ``'all'``; ``'half'`` = every other block ending at the
    top one (1, 3, ..., L - 1, 0-based); ``'top'`` = the last block only; or explicit indices."""
    if layers == 'all':
        return tuple(range(num_layers))
    if layers == 'half':
        return tuple(range(num_layers - 1, -1, -2))[::-1]
    if layers == 'top':
        return (num_layers - 1, )
    if isinstance(layers, str):
        raise ValueError(f"propagation_layers={layers!r}: use 'all', 'half', 'top' or a list of block indices")
    indices = tuple(sorted(set(int(i) for i in layers)))
    if not indices or indices[0] < 0 or indices[-1] >= num_layers:
        raise ValueError(f'propagation_layers {list(layers)} must be non-empty block indices in [0, {num_layers})')
    return indices


def build_local_branch(embed_dims: int, propagation_layers: Sequence[int], share_propagation: bool,
                       local_st_modeling: bool, num_heads: int, ffn_ratio: float):
    """The local branch's layers (eqs. 12-15): one QP layer, or an ``nn.ModuleDict`` of one per propagation block
    (keys ``str(index)``), and the local layer (None when switched off)."""
    hidden = int(round(embed_dims * ffn_ratio))
    if share_propagation:
        query_propagation = QueryPropagationLayer(embed_dims, num_heads, hidden)
    else:
        query_propagation = nn.ModuleDict(
            {str(i): QueryPropagationLayer(embed_dims, num_heads, hidden) for i in propagation_layers})
    local_st = LocalSpatioTemporalLayer(embed_dims, num_heads, hidden) if local_st_modeling else None
    return query_propagation, local_st


def propagation_layer(query_propagation: nn.Module, index: int) -> QueryPropagationLayer:
    """The QP layer that follows block ``index`` (see :func:`build_local_branch`)."""
    if isinstance(query_propagation, nn.ModuleDict):
        return query_propagation[str(index)]
    return query_propagation


@MODELS.register_module()
class FocusVideoCLIP(CLIPViT):
    """FocusVideo's backbone: the global branch plus action queries and the local action query stream.

    Args:
        num_queries (int): ``K`` action queries per frame (8 in the paper; Table 3b sweeps 2/4/8/16).
        interaction (str): How queries meet each block (Table 3d): ``'attention'`` (default, eqs. 4-11: the
            block's frozen ``ln_1`` and attention, ``A_FI = A + MHCA(LN(A), LN(ST-AD(X)))``),
            ``'attention_tad'`` (the block's adapter also applied to ``A`` over time first),
            ``'attention_ffn'`` (also the block's frozen MLP on ``A_FI``), ``'none'`` (no interaction: the QP
            layer attends to the block's output tokens of the frame; Table 3a's M2).
        propagation_layers (str | Sequence[int]): Blocks followed by the QP layer (Table 3c): ``'all'``,
            ``'half'`` (1, 3, ..., L - 1), ``'top'``, or indices; the other blocks pass ``A`` unchanged.
        share_propagation (bool): One QP layer for all blocks (paper default) or one per block (Table 3c).
        local_st_modeling (bool): The spatio-temporal self-attention over the ``T K`` queries (Table 3a M4).
        local_heads (int): Heads of the QP and local layers (8, Sec. 4.1).
        local_ffn_ratio (float): FFN hidden width / ``C`` (1, Sec. 4.1).
        **kwargs: :class:`CLIPViT`'s arguments.

    Shapes: input ``(N, 3, T, H, W)`` with ``T == num_frames`` (the queries are per frame); output
    ``(video (N, C), frames (N, T, C), queries (N, T, K, C))``, ``queries`` being ``A^ST``.
    """

    def __init__(self,
                 num_queries: int = 8,
                 interaction: str = 'attention',
                 propagation_layers: Union[str, Sequence[int]] = 'all',
                 share_propagation: bool = True,
                 local_st_modeling: bool = True,
                 local_heads: int = 8,
                 local_ffn_ratio: float = 1.0,
                 **kwargs):
        super().__init__(**kwargs)
        if num_queries < 1:
            raise ValueError(f'num_queries={num_queries}: FocusVideo needs at least one action query per frame '
                             '(for the global branch alone use CLIPViT)')
        if interaction not in INTERACTIONS:
            raise ValueError(f'interaction={interaction!r}: choose one of {INTERACTIONS}')
        if self.embed_dims % local_heads:
            raise ValueError(f'local_heads={local_heads} does not divide the width {self.embed_dims}')
        self.num_queries = num_queries
        self.interaction = interaction
        self.propagation_layers = propagation_layer_indices(propagation_layers, self.num_layers)
        self.share_propagation = share_propagation
        self.action_queries = nn.Parameter(torch.zeros(self.num_frames, num_queries, self.embed_dims))
        self.query_propagation, self.local_st = build_local_branch(
            self.embed_dims, self.propagation_layers, share_propagation, local_st_modeling, local_heads,
            local_ffn_ratio)

    def init_weights(self) -> None:
        """As :meth:`CLIPViT.init_weights`; the queries are drawn from N(0, 0.02) (truncated) unless
        ``init_cfg`` is given."""
        super().init_weights()
        if self.init_cfg is None:
            trunc_normal_(self.action_queries, std=0.02)

    def _query_adapter(self, index: int):
        for adapters in (self.adapters_pre_attn, self.adapters_pre_mlp):
            if adapters is not None and str(index) in adapters:
                return adapters[str(index)]
        raise ValueError(f"interaction='attention_tad' needs an ST-Adapter in block {index}")

    def forward_block_with_queries(self, index: int, x: torch.Tensor, queries: torch.Tensor, frames: int,
                                   need_weights: bool = False):
        """Block ``index`` on ``x (N T, L, C)`` with the queries ``A (N T, K, C)`` of the same frames.

        Returns:
            tuple: the block's output ``(N T, L, C)`` (identical to :meth:`forward_block`'s), what the QP layer
            attends to (``A_FI (N T, K, C)``, or the output tokens for ``interaction='none'``), and when asked
            the head-averaged attention over the frame's ``L`` tokens of the class token (row 0) and of the
            ``K`` queries (rows 1..K): ``(N T, 1 + K, L)`` (None for ``interaction='none'``).
        """
        if self.interaction == 'none':
            x = self.forward_block(index, x, frames)
            return x, x.float(), None
        block = self.visual.transformer.resblocks[index]
        dtype = x.dtype
        x = self._adapt(self.adapters_pre_attn, index, x, frames)
        if self.interaction == 'attention_tad':
            queries = self._query_adapter(index)(queries, frames, skip_first=False)
        x_attn, q_attn, probs = attention_with_extra_queries(block.attn, block.ln_1(x), block.ln_1(queries.to(dtype)),
                                                             need_weights)
        x = x + block.ls_1(x_attn)
        interacted = queries + block.ls_1(q_attn).float()  # eq. 11
        if self.interaction == 'attention_ffn':
            interacted = interacted + block.ls_2(block.mlp(block.ln_2(interacted.to(dtype)))).float()
        x = self._adapt(self.adapters_pre_mlp, index, x, frames)
        x = x + block.ls_2(block.mlp(block.ln_2(x)))
        if probs is not None:
            probs = torch.cat([probs[:, :1], probs[:, x.shape[1]:]], dim=1)
        return x, interacted, probs

    def forward(self, x: torch.Tensor, return_query_attention: bool = False):
        """See the class docstring; ``return_query_attention`` also returns, per propagation block, the
        head-mean attention of the class token and the queries over each frame's tokens:
        ``(N, T, 1 + K, L)``, keys in CLIP's order (class token, then the patches row by row)."""
        batch, frames = x.shape[0], x.shape[2]
        x = self.embed(x)
        queries = self.action_queries.unsqueeze(0).expand(batch, -1, -1, -1).reshape(batch * frames,
                                                                                    self.num_queries, -1)
        attention = []
        for index in range(self.num_layers):
            if index not in self.propagation_layers:
                x = self.forward_block(index, x, frames)
                continue
            x, context, probs = self.forward_block_with_queries(index, x, queries, frames, return_query_attention)
            queries = propagation_layer(self.query_propagation, index)(queries, context)
            if probs is not None:
                attention.append(probs.reshape(batch, frames, 1 + self.num_queries, -1))
        queries = queries.reshape(batch, frames * self.num_queries, -1)
        if self.local_st is not None:
            queries = self.local_st(queries)
        video, frame_features = self.pool(x, batch, frames)
        outputs = (video, frame_features, queries.reshape(batch, frames, self.num_queries, -1))
        return (outputs, attention) if return_query_attention else outputs
