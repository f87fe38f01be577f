"""EMIM attention in a plain video ViT: MMAction2's ``VisionTransformer`` (VideoMAE) with
:class:`EMIMAttention` at chosen blocks (the reusability switch of EMIM; the paper uses UniFormer only).
"""
from typing import List, Optional, Sequence, Tuple

import torch
from mmaction.models.backbones.vit_mae import Block, VisionTransformer
from mmaction.registry import MODELS

from ...fileio import load_official_state_dict
from ..layers.emim_attention import EMIMAttention
from ..utils import load_state_dict_logged


class EMIMViTBlock(Block):
    """MMAction2's ViT ``Block`` with :class:`EMIMAttention` (VideoMAE's q / v biases, so its weights load);
    the token grid ``(T, H, W)`` is set by the backbone before each forward (``thw``)."""

    def __init__(self, embed_dims: int, num_heads: int, emim: Optional[dict] = None, **kwargs):
        super().__init__(embed_dims, num_heads, **kwargs)
        old = self.attn
        self.attn = EMIMAttention(embed_dims, num_heads, qkv_bias='qv' if hasattr(old, 'q_bias') else False,
                                  qk_scale=old.scale, attn_drop=old.attn_drop.p, proj_drop=old.proj_drop.p,
                                  **(emim or {}))
        self.thw = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.thw is None:
            raise RuntimeError('EMIMViTBlock: the token grid (thw) is set by VisionTransformerEMIM.forward')
        attended = self.attn(self.norm1(x), self.thw)
        if hasattr(self, 'gamma_1'):
            x = x + self.drop_path(self.gamma_1 * attended)
            return x + self.drop_path(self.gamma_2 * self.mlp(self.norm2(x)))
        x = x + self.drop_path(attended)
        return x + self.drop_path(self.mlp(self.norm2(x)))


@MODELS.register_module()
class VisionTransformerEMIM(VisionTransformer):
    """MMAction2's ``VisionTransformer`` with EMIM attention in the blocks ``emim_blocks``.

    Args:
        emim_blocks (Sequence[int]): Indices of the blocks whose attention becomes EMIM. Defaults to ().
        emim (dict): Options of :class:`EMIMAttention` (``window_size``, ``temporal_interval``, ...).
        **kwargs: MMAction2's ``VisionTransformer`` arguments (``embed_dims``, ``depth``, ``num_frames``,
            ``tubelet_size``, ``img_size``, ``pretrained``, ...). ``pretrained`` takes effect here (in
            MMAction2 1.2.0's class it is overwritten by the default ``init_cfg`` and ignored).

    Shapes:
        ``(B, 3, T, H, W)`` with ``T == num_frames`` and ``H, W`` multiples of the patch size (any aspect).
    """

    def __init__(self, emim_blocks: Sequence[int] = (), emim: Optional[dict] = None, **kwargs):
        super().__init__(**kwargs)
        if kwargs.get('pretrained'):  # MMAction2 1.2.0 sets this before BaseModule.__init__ overwrites it
            self.init_cfg = dict(type='Pretrained', checkpoint=kwargs['pretrained'])
        depth = len(self.blocks)
        bad = [index for index in emim_blocks if not 0 <= index < depth]
        if bad:
            raise ValueError(f'VisionTransformerEMIM: emim_blocks {bad} outside the {depth} blocks')
        self.tubelet_size = self.patch_embed.projection.kernel_size[0]
        for index in emim_blocks:
            old = self.blocks[index]
            dims = old.norm1.normalized_shape[0]
            drop_path = old.drop_path.drop_prob if hasattr(old.drop_path, 'drop_prob') else 0.
            block = EMIMViTBlock(dims, old.attn.num_heads, emim=emim,
                                 mlp_ratio=old.mlp.layers[0][0].out_features / dims,
                                 qkv_bias=hasattr(old.attn, 'q_bias'), attn_drop_rate=old.attn.attn_drop.p,
                                 drop_rate=old.attn.proj_drop.p, drop_path_rate=drop_path,
                                 init_values=float(old.gamma_1[0]) if hasattr(old, 'gamma_1') else 0.)
            self.blocks[index] = block

    def init_weights(self) -> None:
        """``init_cfg``; a ``Pretrained`` entry is loaded last by :meth:`load_pretrained`."""
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [self.init_cfg] if self.init_cfg else []
        pretrained = [cfg for cfg in cfgs if cfg.get('type') == 'Pretrained']
        self.init_cfg = [cfg for cfg in cfgs if cfg.get('type') != 'Pretrained'] or None
        super().init_weights()
        if pretrained:
            self.load_pretrained(pretrained[0]['checkpoint'])

    def load_pretrained(self, checkpoint: str) -> Tuple[List[str], List[str]]:
        """Load a VideoMAE / MMAction2 ViT checkpoint (``backbone.`` stripped, heads dropped); the EMIM
        parameters it lacks keep their init and are logged.

        Raises:
            ValueError: its ``pos_embed`` was made for another number of patches (frames or image size).
        """
        state_dict = load_official_state_dict(checkpoint, drop_prefixes=('cls_head.', 'head.'),
                                              strip_prefixes=('backbone.', 'module.'))
        theirs = state_dict.get('pos_embed')
        if theirs is not None and theirs.shape != self.pos_embed.shape:
            patches = self.pos_embed.shape[1]
            raise ValueError(
                f'{checkpoint}: pos_embed {tuple(theirs.shape)} was made for {theirs.shape[1]} patches, this '
                f'{type(self).__name__} has {patches} (num_frames / tubelet_size x (img_size / patch_size)^2); '
                'set num_frames and img_size to the checkpoint\'s')
        return load_state_dict_logged(self, state_dict, checkpoint)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        thw = (x.shape[2] // self.tubelet_size, x.shape[3] // self.patch_size, x.shape[4] // self.patch_size)
        for block in self.blocks:
            if isinstance(block, EMIMViTBlock):
                block.thw = thw
        return super().forward(x)
