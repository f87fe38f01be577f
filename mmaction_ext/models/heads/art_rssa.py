"""ART's region-specific semantics activation (Sec. III-B, eqs. 1-3) and tracklet aggregation (eq. 9)."""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.layers.transformer import DetrTransformerDecoder, DetrTransformerEncoder
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import nn

AGGREGATIONS = ('text', 'sum', 'mean')


def detr_layer_cfg(embed_dims: int, num_heads: int, ffn_channels: int, dropout: float, cross: bool) -> dict:
    """A DETR (post-norm) encoder or decoder layer config: ART's "standard transformer layer [46]"."""
    attn = dict(embed_dims=embed_dims, num_heads=num_heads, attn_drop=dropout,
                dropout_layer=dict(type='Dropout', drop_prob=dropout), batch_first=True)
    cfg = dict(self_attn_cfg=attn, ffn_cfg=dict(embed_dims=embed_dims, feedforward_channels=ffn_channels,
                                                num_fcs=2, ffn_drop=dropout, act_cfg=dict(type='ReLU', inplace=True)))
    if cross:
        cfg['cross_attn_cfg'] = dict(attn)
    return cfg


class _AttentionWithoutWeights(nn.MultiheadAttention):
    """``nn.MultiheadAttention`` that skips the attention probabilities unless asked (``keep_weights``), so that
    PyTorch runs its fused scaled-dot-product kernel: mmcv's wrapper always calls it with ``need_weights=True``,
    which builds, drops out and stores the ``(L, L)`` maps explicitly. Same parameters, same results."""

    keep_weights = False

    def forward(self, *args, need_weights=True, **kwargs):
        return super().forward(*args, need_weights=need_weights and self.keep_weights, **kwargs)


def _fused_attention(layers: nn.Module) -> None:
    """Swap every mmcv attention's inner ``nn.MultiheadAttention`` in ``layers`` for
    :class:`_AttentionWithoutWeights` (construction time: nothing to copy)."""
    for module in layers.modules():
        inner = getattr(module, 'attn', None)
        if type(inner) is nn.MultiheadAttention:
            module.attn = _AttentionWithoutWeights(inner.embed_dim, inner.num_heads, dropout=inner.dropout,
                                                   batch_first=inner.batch_first)


class RegionSemanticsActivation(BaseModule):
    """Per frame: spatial semantic enhancement of the tokens with the top-K text semantics (eq. 1), region
    queries ``Q_t = P_t + S^_t`` (eq. 2), and cross-attention of the queries to the tokens (eq. 3).

    Every frame is processed by the same layers (the paper's "T RSSA modules" in parallel: weights shared over
    frames, frames folded into the batch).

    Args:
        in_channels (int): ``C`` of the backbone tokens.
        text_channels (int): ``C_t`` of the text semantics.
        num_frames (int): ``T``: the region prompts ``P`` are ``(T, K, d)``.
        num_regions (int): ``K`` (2, Sec. IV-A).
        embed_dims (int): ``d`` (256, Sec. IV-A), reached by ``Linear(C -> d)`` and ``Linear(C_t -> d)``.
        spatial_enhancement (bool): Eq. 1 (False: Table IV "w/o SE": tokens and semantics only projected).
        num_encoder_layers / num_decoder_layers (int): 4 and 4 (Sec. IV-A).
        num_heads (int): 8; ffn_channels (int): 2048; dropout (float): 0.1 (DETR's, the paper's "standard
            transformer layer [46]" gives none).

    Shapes: ``tokens (N, T, L, C)``, ``semantics (N, K, C_t)`` -> ``responses (N, T, K, d)`` and the projected
    static semantics ``(N, K, d)``.
    """

    def __init__(self, in_channels: int, text_channels: int, num_frames: int, num_regions: int = 2,
                 embed_dims: int = 256, spatial_enhancement: bool = True, num_encoder_layers: int = 4,
                 num_decoder_layers: int = 4, num_heads: int = 8, ffn_channels: int = 2048, dropout: float = 0.1,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        self.num_frames, self.num_regions, self.embed_dims = num_frames, num_regions, embed_dims
        self.visual_proj = nn.Linear(in_channels, embed_dims)
        self.text_proj = nn.Linear(text_channels, embed_dims)
        self.encoder = DetrTransformerEncoder(
            num_encoder_layers, detr_layer_cfg(embed_dims, num_heads, ffn_channels, dropout, cross=False)) \
            if spatial_enhancement else None
        self.region_prompts = nn.Parameter(torch.zeros(num_frames, num_regions, embed_dims))
        self.decoder = DetrTransformerDecoder(
            num_decoder_layers, detr_layer_cfg(embed_dims, num_heads, ffn_channels, dropout, cross=True),
            return_intermediate=False)
        for layers in (self.encoder, self.decoder):
            if layers is not None:
                _fused_attention(layers)

    def init_weights(self) -> None:
        """DETR's: Xavier-uniform matrices in the encoder and decoder; prompts N(0, 0.02); then ``init_cfg``."""
        for layers in (self.encoder, self.decoder):
            for param in (layers.parameters() if layers is not None else ()):
                if param.dim() > 1:
                    nn.init.xavier_uniform_(param)
        trunc_normal_(self.region_prompts, std=0.02)
        super().init_weights()

    def forward(self, tokens: torch.Tensor, semantics: torch.Tensor, return_attention: bool = False
                ) -> Tuple[torch.Tensor, ...]:
        """``return_attention``: also the last decoder layer's cross-attention (head mean) of each region
        query over the frame's tokens, ``(N, T, K, L)``: where each region response comes from (Fig. 8)."""
        batch, frames, length, _ = tokens.shape
        if frames != self.num_frames:
            raise ValueError(f'RegionSemanticsActivation: the backbone gives T={frames} frames of tokens '
                             f'{tuple(tokens.shape)}, the config num_frames={self.num_frames}')
        if semantics.shape[1] != self.num_regions:
            raise ValueError(f'{semantics.shape[1]} text semantics for num_regions={self.num_regions}')
        x = self.visual_proj(tokens).flatten(0, 1)  # (N T, L, d)
        static = self.text_proj(semantics)  # (N, K, d)
        s = static.repeat_interleave(frames, dim=0)  # (N T, K, d)
        if self.encoder is not None:
            enhanced = self.encoder(torch.cat([x, s], dim=1), query_pos=None, key_padding_mask=None)
            x, s = enhanced[:, :length], enhanced[:, length:]
        queries = self.region_prompts.repeat(batch, 1, 1) + s  # P_t + S^_t, eq. 2
        if not return_attention:
            responses = self.decoder(queries, key=x, value=x, query_pos=None, key_pos=None, key_padding_mask=None)
            return responses[0].reshape(batch, frames, self.num_regions, -1), static
        recorded, attention = [], self.decoder.layers[-1].cross_attn.attn
        hook = attention.register_forward_hook(lambda module, inputs, output: recorded.append(output[1]))
        attention.keep_weights = True
        try:
            responses = self.decoder(queries, key=x, value=x, query_pos=None, key_pos=None, key_padding_mask=None)
        finally:
            hook.remove()
            attention.keep_weights = False
        return (responses[0].reshape(batch, frames, self.num_regions, -1), static,
                recorded[0].reshape(batch, frames, self.num_regions, length))


def aggregate_tracklets(responses: torch.Tensor, semantics: torch.Tensor, mode: str = 'text',
                        temperature: float = 1.0) -> torch.Tensor:
    """Tracklets ``Tr_k = (r_{1,k}, ..., r_{T,k})`` pooled over time: ``(N, T, K, d) -> (N, K, d)``.

    ``'text'`` (eq. 9): ``S_t = 1/K sum_i softmax_t(cos(s_i, r_{t,k}) / temperature)`` and
    ``Tr_k^agg = 1/T sum_t S_t r_{t,k}`` (the printed ``1/T`` kept, so the weights sum to ``1/T``);
    ``'sum'``: ``sum_t r_{t,k}`` (Table IV setting 2, "directly adding"); ``'mean'``: mean pooling.
    ``semantics (N, K, d)`` are the static top-K semantics ``s_i``.
    """
    if mode == 'sum':
        return responses.sum(dim=1)
    if mode == 'mean':
        return responses.mean(dim=1)
    if mode != 'text':
        raise ValueError(f'aggregation={mode!r}: choose one of {AGGREGATIONS}')
    cos = torch.einsum('ntkd,nid->ntki', F.normalize(responses, dim=-1), F.normalize(semantics, dim=-1))
    saliency = torch.softmax(cos / temperature, dim=1).mean(dim=-1)  # (N, T, K)
    return (responses * saliency.unsqueeze(-1)).sum(dim=1) / responses.shape[1]
