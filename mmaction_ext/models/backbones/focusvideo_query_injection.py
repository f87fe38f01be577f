"""FocusVideo's local branch on any backbone whose blocks attend with ``nn.MultiheadAttention`` (beyond the
paper): e.g. MMAction2's UniFormerV2, whose pooled output it leaves unchanged."""
from typing import Optional, Sequence, Union

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import nn

from mmaction_ext.models.layers.clip_vision import attention_with_extra_queries

from .focusvideo_clip import build_local_branch, propagation_layer, propagation_layer_indices


@MODELS.register_module()
class QueryInjection(BaseModule):
    """Action queries that read a wrapped backbone's blocks through their own frozen norm and attention
    (FocusVideo's parameter-free interaction, eqs. 4-11), propagated by the QP layer (eqs. 12-13) and the local
    spatio-temporal layer (eqs. 14-15).

    The backbone runs unchanged; a forward pre-hook on each chosen block's attention records its input (the
    normalised tokens, what the block's keys and values come from), then the query stream runs block by block
    on those records: the result equals interleaving it with the blocks, because the tokens never read the
    queries. The keys and values are projected a second time for the queries (their cost: one ``2 C^2`` matmul
    per token and block).

    Args:
        backbone (dict): Config of the wrapped backbone.
        num_frames (int): Frames the blocks see (``T'``: e.g. ``t_size / 2`` for UniFormerV2 with its temporal
            downsampling); the attention's batch must be ``N * num_frames``.
        embed_dims (int): Width ``C`` of the blocks.
        blocks (str): Dotted path of the ``nn.ModuleList`` of blocks (``'transformer.resblocks'`` for
            UniFormerV2 and open_clip).
        attn_name / norm_name (str): Each block's ``nn.MultiheadAttention`` and the norm before it.
        num_queries, propagation_layers, share_propagation, local_st_modeling, local_heads, local_ffn_ratio:
            as :class:`FocusVideoCLIP`.

    Shapes: input as the backbone's; output ``(backbone output, frames (N, T', C), queries (N, T', K, C))``,
    ``frames`` being each frame's class token as it enters the last chosen block's attention (row 0 of the
    recorded tokens), so that :class:`FocusVideoHead` (``query_supervision='recon_online'``) has targets.
    """

    def __init__(self,
                 backbone: dict,
                 num_frames: int,
                 embed_dims: int,
                 blocks: str = 'transformer.resblocks',
                 attn_name: str = 'attn',
                 norm_name: str = 'ln_1',
                 num_queries: int = 8,
                 propagation_layers: Union[str, Sequence[int]] = 'all',
                 share_propagation: bool = True,
                 local_st_modeling: bool = True,
                 local_heads: int = 8,
                 local_ffn_ratio: float = 1.0,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg=init_cfg)
        if num_queries < 1:
            raise ValueError(f'num_queries={num_queries}: at least one action query per frame')
        self.backbone = MODELS.build(backbone)
        try:
            block_list = self.backbone.get_submodule(blocks)
        except AttributeError:
            raise ValueError(f'{type(self.backbone).__name__} has no submodule {blocks!r} (QueryInjection.blocks)') \
                from None
        self.block_names = [f'{blocks}.{i}' for i in range(len(block_list))]
        for name, block in zip(self.block_names, block_list):
            attn, norm = getattr(block, attn_name, None), getattr(block, norm_name, None)
            if not isinstance(attn, nn.MultiheadAttention) or norm is None:
                raise ValueError(f'{name} has no nn.MultiheadAttention {attn_name!r} with a norm {norm_name!r}')
            if attn.embed_dim != embed_dims:
                raise ValueError(f'{name}.{attn_name} has width {attn.embed_dim}, not embed_dims={embed_dims}')
        self.attn_name, self.norm_name = attn_name, norm_name
        self.num_frames, self.num_queries, self.embed_dims = num_frames, num_queries, embed_dims
        self.propagation_layers = propagation_layer_indices(propagation_layers, len(block_list))
        self.share_propagation = share_propagation
        self.action_queries = nn.Parameter(torch.zeros(num_frames, num_queries, embed_dims))
        self.query_propagation, self.local_st = build_local_branch(
            embed_dims, self.propagation_layers, share_propagation, local_st_modeling, local_heads, local_ffn_ratio)

    def init_weights(self) -> None:
        super().init_weights()
        if self.init_cfg is None:
            trunc_normal_(self.action_queries, std=0.02)

    def _block(self, index: int) -> nn.Module:
        return self.backbone.get_submodule(self.block_names[index])

    def forward(self, x: torch.Tensor, *args, **kwargs):
        records = {}
        handles = []
        for index in self.propagation_layers:
            attn = getattr(self._block(index), self.attn_name)
            handles.append(attn.register_forward_pre_hook(
                lambda module, inputs, index=index: records.__setitem__(index, inputs[0])))
        try:
            output = self.backbone(x, *args, **kwargs)
        finally:
            for handle in handles:
                handle.remove()
        batch = x.shape[0]
        queries = self.action_queries.unsqueeze(0).expand(batch, -1, -1, -1).reshape(
            batch * self.num_frames, self.num_queries, -1)
        tokens = None
        for index in self.propagation_layers:
            block = self._block(index)
            attn, norm = getattr(block, self.attn_name), getattr(block, self.norm_name)
            tokens = records[index] if attn.batch_first else records[index].transpose(0, 1)  # (N T', L, C)
            if tokens.shape[0] != batch * self.num_frames:
                raise ValueError(f'{self.block_names[index]} attends over a batch of {tokens.shape[0]} for {batch} '
                                 f'clips: set QueryInjection.num_frames to the frames its blocks see '
                                 f'({tokens.shape[0] // batch}?)')
            interacted = queries + attention_with_extra_queries(attn, tokens, norm(queries))[1]
            queries = propagation_layer(self.query_propagation, index)(queries, interacted)
        queries = queries.reshape(batch, self.num_frames * self.num_queries, -1)
        if self.local_st is not None:
            queries = self.local_st(queries)
        frames = tokens[:, 0].reshape(batch, self.num_frames, -1)
        return output, frames, queries.reshape(batch, self.num_frames, self.num_queries, -1)
