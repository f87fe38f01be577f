"""CSA's decoder: Localizing Decoder Layers (LDL) and Classifying Decoder Layers (CDL), paper Sec. 4.2 / Fig. 4.

Every frame is decoded on its own (the paper's stated limitation), so a batch of ``B`` clips of ``T``
decoded frames is a batch of ``N = B * T`` frames (AVA decodes the keyframe only: ``N = B``). Shapes:
``Q`` actor queries (``N_a``), ``C`` classes, ``D`` channels, ``L`` levels, ``HW`` tokens of a frame
(the grid of level -2), ``memory (N, L, HW, D)``, ``memory_pos (N, HW, D)``.

Where the paper is silent the released code decides (``docs/csa.md`` lists each point):

- LDL is a DAB-DETR decoder layer (mmdet's ``ConditionalAttention`` for self- and cross-attention,
  mmdet's ``MLP`` heads and sine box encoding) whose keys and values are the actor-specific context
  ``x_i = LayerNorm(sum_l softmax(Linear_{D->L}(q_i))_l * memory_l)``; the actor feature ``f_i`` is the
  output after cross-attention (before the FFN).
- CDL takes ``f_i`` detached, ``FFN + LN``, adds it to every position of ``x_i``, ``LayerNorm``, then one
  ``ConvBlock`` applied 3 times (shared weights) -> ``z_i``. Class queries self-attend (projection-free
  attention, as the code's ``MultiheadAttention`` without input projections), then attend with query
  ``[q ; Linear(sine(box))]`` and key ``[k_proj(z_i) ; pos]``, value ``v_proj(x_i)``; the attention output
  replaces the queries (no residual), then ``FFN + LN``. The concatenation is over the whole ``D`` (the
  first half of the heads compare content, the second half positions); ``pos_concat='per_head'``
  interleaves per head instead, as Conditional DETR.
- Class logits: channel mean of ``Dropout(0.5)(LayerNorm(q~))``, no classifier layer.
"""
import math
from typing import Dict, Optional, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn.bricks.transformer import FFN
from mmdet.models.layers.transformer import MLP, ConditionalAttention, coordinate_to_encoding, inverse_sigmoid
from mmengine.model import BaseModule, ModuleList
from torch import Tensor, nn


def _ffn(embed_dims: int, feedforward_channels: int, dropout: float) -> FFN:
    return FFN(embed_dims=embed_dims, feedforward_channels=feedforward_channels, num_fcs=2, ffn_drop=dropout,
               act_cfg=dict(type='ReLU', inplace=True))


class ProjectionFreeAttention(nn.Module):
    """Multi-head attention on already-projected ``q, k, v`` (only an output projection), as the
    ``MultiheadAttention`` of Conditional DETR / CSA's code. ``q`` and ``k`` may be wider than ``v``
    (``[content ; position]`` concatenations): heads split each of them evenly."""

    def __init__(self, value_dims: int, num_heads: int, attn_drop: float = 0.0):
        super().__init__()
        self.num_heads, self.attn_drop = num_heads, attn_drop
        self.out_proj = nn.Linear(value_dims, value_dims)
        nn.init.zeros_(self.out_proj.bias)

    def forward(self, query: Tensor, key: Tensor, value: Tensor, need_weights: bool = False):
        """``query (N, Lq, E)``, ``key (N, Lk, E)``, ``value (N, Lk, V)`` -> ``(N, Lq, V)`` and, with
        ``need_weights``, the head-averaged weights ``(N, Lq, Lk)``."""
        heads = self.num_heads
        split = [t.unflatten(-1, (heads, -1)).transpose(1, 2) for t in (query, key, value)]
        if need_weights:
            logits = split[0] @ split[1].transpose(-1, -2) / math.sqrt(split[0].shape[-1])
            weights = logits.softmax(-1)
            output = F.dropout(weights, self.attn_drop, self.training) @ split[2]
            weights = weights.mean(1)
        else:
            output = F.scaled_dot_product_attention(*split, dropout_p=self.attn_drop if self.training else 0.0)
            weights = None
        return self.out_proj(output.transpose(1, 2).flatten(2)), weights


class ActorContextAttention(ConditionalAttention):
    """mmdet's conditional cross-attention where every query has its own keys and values (its
    actor-specific context ``x_i``); key positions are projected once for all queries."""

    def forward(self, query: Tensor, key: Tensor, query_pos: Tensor, ref_sine_embed: Tensor, key_pos: Tensor,
                is_first: bool = False, conditional: bool = True) -> Tensor:
        """``query, query_pos, ref_sine_embed (N, Q, D)``; ``key (N, Q, HW, D)``; ``key_pos (N, HW, D)``.

        ``conditional=False``: DETR's cross-attention instead (positions added to content, every layer).
        """
        batch, num_queries, dims = query.shape
        heads = self.num_heads
        q = self.qcontent_proj(query)
        k = self.kcontent_proj(key)
        k_pos = self.kpos_proj(key_pos)[:, None].expand_as(k)
        if not conditional:
            q, k, v = q + self.qpos_proj(query_pos), k + k_pos, self.v_proj(key)
            output = self.forward_attn(q.reshape(batch * num_queries, 1, dims), k.flatten(0, 1), v.flatten(0, 1))[0]
            return query + self.proj_drop(output.view(batch, num_queries, dims))
        if is_first or self.keep_query_pos:
            q = q + self.qpos_proj(query_pos)
            k = k + k_pos
        q = torch.cat([q.unflatten(-1, (heads, -1)), self.qpos_sine_proj(ref_sine_embed).unflatten(-1, (heads, -1))],
                      -1).flatten(-2)
        k = torch.cat([k.unflatten(-1, (heads, -1)), k_pos.unflatten(-1, (heads, -1))], -1).flatten(-2)
        v = self.v_proj(key)
        # one attention per (frame, actor): a batch of N * Q single queries
        output = self.forward_attn(q.reshape(batch * num_queries, 1, 2 * dims), k.flatten(0, 1), v.flatten(0, 1))[0]
        return query + self.proj_drop(output.view(batch, num_queries, dims))


class LocalizingDecoderLayer(BaseModule):
    """LDL: self-attention over the actor queries of a frame, actor-specific context, conditional
    cross-attention into it, FFN (post-norm).

    Args:
        embed_dims (int): ``D``. Defaults to 256.
        num_heads (int): Defaults to 8.
        feedforward_channels (int): Defaults to 2048.
        dropout (float): Defaults to 0.1.
        num_levels (int): ``L``. Defaults to 4.
        level_agg (str): How the levels become one context map (Table 2): ``'actor'`` (weights from
            each actor query, the paper's), ``'weighted'`` (one learnt softmax over levels),
            ``'mean'``.
        cross_attention (str): ``'conditional'`` (the paper's: content and position concatenated per
            head) or ``'detr'`` (added, DETR's; Table 1's DETR decoder with ``level_agg='mean'``).
    """

    def __init__(self, embed_dims: int = 256, num_heads: int = 8, feedforward_channels: int = 2048,
                 dropout: float = 0.1, num_levels: int = 4, level_agg: str = 'actor',
                 cross_attention: str = 'conditional', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if level_agg not in ('actor', 'weighted', 'mean'):
            raise ValueError(f"level_agg must be 'actor', 'weighted' or 'mean', got {level_agg!r}")
        if cross_attention not in ('conditional', 'detr'):
            raise ValueError(f"cross_attention must be 'conditional' or 'detr', got {cross_attention!r}")
        self.embed_dims, self.level_agg, self.cross_attention = embed_dims, level_agg, cross_attention
        self.self_attn = ConditionalAttention(embed_dims, num_heads, attn_drop=dropout, proj_drop=dropout)
        self.cross_attn = ActorContextAttention(embed_dims, num_heads, attn_drop=dropout, proj_drop=dropout,
                                                cross_attn=True)
        if level_agg == 'actor':
            self.level_weights = nn.Linear(embed_dims, num_levels)
        elif level_agg == 'weighted':
            self.level_weights = nn.Parameter(torch.zeros(num_levels))
        self.context_norm = nn.LayerNorm(embed_dims)
        self.ffn = _ffn(embed_dims, feedforward_channels, dropout)
        self.norms = ModuleList([nn.LayerNorm(embed_dims) for _ in range(3)])

    def actor_context(self, query: Tensor, memory: Tensor) -> Tensor:
        """``x (N, Q, HW, D)`` from ``query (N, Q, D)`` and ``memory (N, L, HW, D)``."""
        if self.level_agg == 'actor':
            weights = self.level_weights(query).softmax(-1)  # (N, Q, L)
            context = torch.einsum('nql,nlmd->nqmd', weights, memory)
        elif self.level_agg == 'weighted':
            context = torch.einsum('l,nlmd->nmd', self.level_weights.softmax(0), memory)[:, None]
            context = context.expand(-1, query.shape[1], -1, -1)
        else:
            context = memory.mean(1)[:, None].expand(-1, query.shape[1], -1, -1)
        return self.context_norm(context)

    def forward(self, query: Tensor, memory: Tensor, memory_pos: Tensor, query_pos: Tensor, ref_sine_embed: Tensor,
                is_first: bool = False) -> Tuple[Tensor, Tensor, Tensor]:
        """Returns the layer output ``(N, Q, D)``, the actor features ``f (N, Q, D)`` and the actor
        contexts ``x (N, Q, HW, D)``."""
        query = self.norms[0](self.self_attn(query, query, query_pos=query_pos, key_pos=query_pos))
        context = self.actor_context(query, memory)
        actor_features = self.norms[1](
            self.cross_attn(query, context, query_pos, ref_sine_embed, memory_pos, is_first=is_first,
                            conditional=self.cross_attention == 'conditional'))
        return self.norms[2](self.ffn(actor_features)), actor_features, context


class ConvBlock(nn.Module):
    """ConvNeXt-style block on a ``(N, D, H, W)`` map: 3x3 conv, LayerNorm, Linear 4D, GELU, Linear, residual."""

    def __init__(self, dims: int):
        super().__init__()
        self.conv = nn.Conv2d(dims, dims, 3, padding=1)
        self.norm = nn.LayerNorm(dims, eps=1e-6)
        self.fc1, self.act, self.fc2 = nn.Linear(dims, 4 * dims), nn.GELU(), nn.Linear(4 * dims, dims)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.fc2(self.act(self.fc1(self.norm(self.conv(x).permute(0, 2, 3, 1))))).permute(0, 3, 1, 2)


class ClassifyingDecoderLayer(BaseModule):
    """CDL: class queries attending to the actor-specific, actor-fused context.

    Args:
        embed_dims, num_heads, feedforward_channels, dropout: as :class:`LocalizingDecoderLayer`.
        num_conv_repeats (int): Times the one ``ConvBlock`` is applied. Defaults to 3.
        fusion (str): How the actor feature meets the context (Table 4): ``'sum'`` (the paper's),
            ``'concat_conv'`` (concatenate, 1x1 conv), ``'cross_attn'`` (the actor feature attends
            to the context, the result is added), ``'self_attn'`` (joint self-attention over the
            actor feature and the context tokens).
        actor_position (bool): Append ``Linear(sine(actor box))`` to the class queries (Table 3);
            False appends zeros, so the position heads pool uniformly.
        pos_concat (str): ``'full'`` (the code's ``[q ; p]`` over all channels) or ``'per_head'``.
    """

    def __init__(self, embed_dims: int = 256, num_heads: int = 8, feedforward_channels: int = 2048,
                 dropout: float = 0.1, num_conv_repeats: int = 3, fusion: str = 'sum', actor_position: bool = True,
                 pos_concat: str = 'full', init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if fusion not in ('sum', 'concat_conv', 'cross_attn', 'self_attn'):
            raise ValueError(f"fusion must be 'sum', 'concat_conv', 'cross_attn' or 'self_attn', got {fusion!r}")
        if pos_concat not in ('full', 'per_head'):
            raise ValueError(f"pos_concat must be 'full' or 'per_head', got {pos_concat!r}")
        self.embed_dims, self.num_heads = embed_dims, num_heads
        self.fusion, self.actor_position, self.pos_concat = fusion, actor_position, pos_concat
        self.num_conv_repeats = num_conv_repeats
        self.actor_ffn = _ffn(embed_dims, feedforward_channels, dropout)
        self.actor_norm = nn.LayerNorm(embed_dims)
        if fusion == 'concat_conv':
            self.fuse = nn.Conv2d(2 * embed_dims, embed_dims, 1)
        elif fusion in ('cross_attn', 'self_attn'):
            self.fuse = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.conv_norm = nn.LayerNorm(embed_dims)
        self.conv_block = ConvBlock(embed_dims)
        self.self_attn = ProjectionFreeAttention(embed_dims, num_heads, attn_drop=dropout)
        self.self_attn_drop = nn.Dropout(dropout)
        self.self_attn_norm = nn.LayerNorm(embed_dims)
        self.k_proj = nn.Linear(embed_dims, embed_dims)
        self.v_proj = nn.Linear(embed_dims, embed_dims)
        self.qpos_sine_proj = nn.Linear(embed_dims, embed_dims)
        self.cross_attn = ProjectionFreeAttention(embed_dims, num_heads, attn_drop=dropout)
        self.ffn = _ffn(embed_dims, feedforward_channels, dropout)
        self.ffn_norm = nn.LayerNorm(embed_dims)

    def fuse_actor(self, actor_features: Tensor, context: Tensor) -> Tensor:
        """``f (M, D)`` and ``x (M, HW, D)`` -> the fused map ``(M, HW, D)`` (before the LayerNorm)."""
        if self.fusion == 'sum':
            return context + actor_features[:, None]
        if self.fusion == 'concat_conv':
            both = torch.cat([context, actor_features[:, None].expand_as(context)], -1)
            return self.fuse.forward(both.transpose(1, 2)[..., None])[..., 0].transpose(1, 2)
        if self.fusion == 'cross_attn':
            attended = self.fuse(actor_features[:, None], context, context, need_weights=False)[0]
            return context + actor_features[:, None] + attended
        tokens = torch.cat([actor_features[:, None], context], 1)
        return (tokens + self.fuse(tokens, tokens, tokens, need_weights=False)[0])[:, 1:]

    def _concat(self, content: Tensor, position: Tensor) -> Tensor:
        if self.pos_concat == 'full':
            return torch.cat([content, position], -1)
        heads = self.num_heads
        return torch.cat([content.unflatten(-1, (heads, -1)), position.unflatten(-1, (heads, -1))], -1).flatten(-2)

    def forward(self, actor_features: Tensor, context: Tensor, memory_pos: Tensor, ref_sine_embed: Tensor,
                class_queries: Tensor, grid: Tuple[int, int], need_weights: bool = False):
        """One CDL step.

        Args:
            actor_features (Tensor): ``f (N, Q, D)`` (detached by the caller).
            context (Tensor): ``x (N, Q, HW, D)``.
            memory_pos (Tensor): ``(N, HW, D)`` sine positions of the context grid.
            ref_sine_embed (Tensor): ``(N, Q, D)`` the LDL's (modulated) sine embedding of the actor box.
            class_queries (Tensor): ``(C, D)`` (first layer) or ``(N, Q, C, D)``.
            grid (tuple): ``(H, W)`` of the context map.

        Returns:
            tuple: the new class queries ``(N, Q, C, D)`` and, with ``need_weights``, the class attention
            ``(N, Q, C, HW)`` (else None).
        """
        frames, num_queries, tokens, dims = context.shape
        height, width = grid
        actor_features = self.actor_norm(self.actor_ffn(actor_features)).flatten(0, 1)  # (M, D), M = N Q
        flat_context = context.flatten(0, 1)  # (M, HW, D)
        fused = self.conv_norm(self.fuse_actor(actor_features, flat_context))
        fused = fused.transpose(1, 2).reshape(-1, dims, height, width)
        for _ in range(self.num_conv_repeats):
            fused = self.conv_block(fused)
        fused = fused.flatten(2).transpose(1, 2)  # z: (M, HW, D)
        if class_queries.dim() == 2:
            queries = class_queries[None].expand(frames * num_queries, -1, -1)
        else:
            queries = class_queries.flatten(0, 1)
        queries = self.self_attn_norm(queries + self.self_attn_drop(self.self_attn(queries, queries, queries)[0]))
        actor_pos = self.qpos_sine_proj(ref_sine_embed).flatten(0, 1)[:, None].expand_as(queries)
        if not self.actor_position:
            actor_pos = torch.zeros_like(actor_pos)
        positions = memory_pos[:, None].expand(-1, num_queries, -1, -1).flatten(0, 1)
        key = self._concat(self.k_proj(fused), positions)
        query = self._concat(queries, actor_pos)
        output, weights = self.cross_attn(query, key, self.v_proj(flat_context), need_weights=need_weights)
        output = self.ffn_norm(self.ffn(output))
        output = output.view(frames, num_queries, -1, dims)
        if weights is not None:
            weights = weights.view(frames, num_queries, -1, tokens)
        return output, weights


class CSADecoder(BaseModule):
    """``num_layers`` x (LDL, then CDL) with DAB-DETR anchor refinement.

    Args:
        num_layers (int): Defaults to 6 (AVA; 3 on JHMDB / UCF101-24).
        num_classes (int): ``C``, the class queries.
        embed_dims, num_heads, feedforward_channels, dropout, num_levels: as the layers.
        level_agg (str): :class:`LocalizingDecoderLayer` option (Table 2).
        cross_attention (str): :class:`LocalizingDecoderLayer` option; Table 1's rows: DETR decoder =
            ``cross_attention='detr', level_agg='mean', with_cdl=False, modulate_hw_attn=False``; LDL =
            ``with_cdl=False``; LDL + CDL = the defaults.
        with_cdl (bool): False: LDL only, classes from a linear layer on the LDL output (Table 1 "LDL").
        cdl_cfg (dict): Extra :class:`ClassifyingDecoderLayer` arguments (``fusion``, ``actor_position``,
            ``pos_concat``, ``num_conv_repeats``).
        class_dropout (float): Dropout before the channel mean of the class features. Defaults to 0.5.
        modulate_hw_attn (bool): DAB-DETR's width / height modulated attention. Defaults to True.
    """

    def __init__(self, num_layers: int = 6, num_classes: int = 80, embed_dims: int = 256, num_heads: int = 8,
                 feedforward_channels: int = 2048, dropout: float = 0.1, num_levels: int = 4, level_agg: str = 'actor',
                 cross_attention: str = 'conditional', with_cdl: bool = True, cdl_cfg: Optional[dict] = None, class_dropout: float = 0.5,
                 modulate_hw_attn: bool = True, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_layers, self.num_classes, self.embed_dims = num_layers, num_classes, embed_dims
        self.with_cdl, self.modulate_hw_attn = with_cdl, modulate_hw_attn
        common = dict(embed_dims=embed_dims, num_heads=num_heads, feedforward_channels=feedforward_channels,
                      dropout=dropout)
        self.layers = ModuleList([LocalizingDecoderLayer(num_levels=num_levels, level_agg=level_agg,
                                                         cross_attention=cross_attention, **common)
                                  for _ in range(num_layers)])
        if with_cdl:
            self.cls_layers = ModuleList([ClassifyingDecoderLayer(**common, **(cdl_cfg or {}))
                                          for _ in range(num_layers)])
            self.class_queries = nn.Embedding(num_classes, embed_dims)
            self.class_norm = nn.LayerNorm(embed_dims)
            self.class_dropout = nn.Dropout(class_dropout)
        else:
            self.classifier = nn.Linear(embed_dims, num_classes)
        # DAB-DETR scales the positional queries from the second layer on: one layer has none (nothing would train it)
        self.query_scale = MLP(embed_dims, embed_dims, embed_dims, 2) if num_layers > 1 else None
        self.ref_point_head = MLP(2 * embed_dims, embed_dims, embed_dims, 2)
        if modulate_hw_attn:
            self.ref_anchor_head = MLP(embed_dims, embed_dims, 2, 2)
        self.bbox_head = MLP(embed_dims, embed_dims, 4, 3)
        self.post_norm = nn.LayerNorm(embed_dims)

    def init_weights(self) -> None:
        super().init_weights()
        # DAB-DETR: the box head starts at "no change" of the anchor.
        nn.init.zeros_(self.bbox_head.layers[-1].weight)
        nn.init.zeros_(self.bbox_head.layers[-1].bias)

    def positional_queries(self, anchors: Tensor, output: Tensor, layer_index: int) -> Tuple[Tensor, Tensor]:
        """DAB-DETR: ``query_pos = MLP(sine(anchor))`` and the (scaled, HW-modulated) sine embedding."""
        sine = coordinate_to_encoding(anchors, num_feats=self.embed_dims // 2)  # (N, Q, 2D): y, x, w, h
        query_pos = self.ref_point_head(sine)
        ref_sine = sine[..., :self.embed_dims]
        if layer_index > 0:
            ref_sine = ref_sine * self.query_scale(output)
        if self.modulate_hw_attn:
            ref_hw = self.ref_anchor_head(output).sigmoid()
            half = self.embed_dims // 2
            ref_sine = torch.cat([ref_sine[..., :half] * (ref_hw[..., 1] / anchors[..., 3])[..., None],
                                  ref_sine[..., half:] * (ref_hw[..., 0] / anchors[..., 2])[..., None]], -1)
        return query_pos, ref_sine

    def forward(self, memory: Tensor, memory_pos: Tensor, anchors: Tensor, grid: Tuple[int, int],
                need_class_attention: bool = False) -> Dict[str, Tensor]:
        """Decode every frame.

        Args:
            memory (Tensor): ``(N, L, HW, D)``.
            memory_pos (Tensor): ``(N, HW, D)``.
            anchors (Tensor): ``(N, Q, 4)`` unsigmoided ``cx, cy, w, h`` anchor boxes.
            grid (tuple): ``(H, W)`` of the memory maps.
            need_class_attention (bool): Also return the last CDL's class attention ``(N, Q, C, HW)``.

        Returns:
            dict: per layer ``hidden (num_layers, N, Q, D)`` (post-normed LDL outputs),
            ``class_logits (num_layers, N, Q, C)``, ``boxes (num_layers, N, Q, 4)`` normalised
            ``cx, cy, w, h``, and ``class_attention`` when asked for.
        """
        frames, num_queries, _ = anchors.shape
        output = memory.new_zeros(frames, num_queries, self.embed_dims)  # content queries start at zero (code)
        reference = anchors.sigmoid()
        class_queries = self.class_queries.weight if self.with_cdl else None
        hidden, logits, boxes, attention = [], [], [], None
        for index, layer in enumerate(self.layers):
            query_pos, ref_sine = self.positional_queries(reference, output, index)
            output, actor_features, context = layer(output, memory, memory_pos, query_pos, ref_sine,
                                                    is_first=index == 0)
            normed = self.post_norm(output)
            hidden.append(normed)
            # the box of this layer refines the anchor it was given (from the normed output, DAB-DETR)
            boxes.append((self.bbox_head(normed) + inverse_sigmoid(reference)).sigmoid())
            if self.with_cdl:
                last = index == self.num_layers - 1
                class_queries, weights = self.cls_layers[index](
                    actor_features.detach(), context, memory_pos, ref_sine, class_queries, grid,
                    need_weights=need_class_attention and last)
                logits.append(self.class_dropout(self.class_norm(class_queries)).mean(-1))
                attention = weights if weights is not None else attention
            else:
                logits.append(self.classifier(normed))
            if index < self.num_layers - 1:
                # the next anchor comes from the un-normed output, detached between layers (DAB-DETR)
                reference = (self.bbox_head(output) + inverse_sigmoid(reference)).sigmoid().detach()
        result = dict(hidden=torch.stack(hidden), class_logits=torch.stack(logits), boxes=torch.stack(boxes))
        if need_class_attention:
            result['class_attention'] = attention
        return result


__all__ = ['CSADecoder', 'LocalizingDecoderLayer', 'ClassifyingDecoderLayer', 'ConvBlock', 'ProjectionFreeAttention',
           'ActorContextAttention']
