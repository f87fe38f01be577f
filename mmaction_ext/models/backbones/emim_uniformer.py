"""UniFormer with EMIM attention (Zhuang et al., "A Renaissance of Explicit Motion Information Mining from
Transformers for Action Recognition"): MMAction2's UniFormer (v1) whose chosen self-attention blocks of
stages 3-4 attend, per query, to a local window of the next frame (:class:`EMIMAttention`).
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmaction.models.backbones.uniformer import CBlock, SABlock, UniFormer
from mmaction.registry import MODELS
from mmcv.cnn import build_activation_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from torch import nn

from ...fileio import load_official_state_dict
from ..layers.emim_attention import EMIMAttention
from ..layers.token_norm import TokenBatchNorm
from ..utils import load_state_dict_logged, require_pretrained_file

# Which blocks of a stage get EMIM ('E') or keep global MHSA ('O'), Table 8: the pattern of each pair of
# successive blocks, repeated over the stage.
PLACEMENTS = {'E-O': (True, False), 'O-E': (False, True), 'E-E': (True, True), 'O-O': (False, False)}


class EMIMBlock(SABlock):
    """MMAction2's ``SABlock`` with :class:`EMIMAttention` in place of its global MHSA; same parameter
    names, so an ``SABlock``'s weights load (the EMIM parameters are new).

    Args:
        dim, num_heads, mlp_ratio, qkv_bias, qk_scale, drop, attn_drop, drop_path: as ``SABlock``.
        emim (dict): Options of :class:`EMIMAttention` (``window_size``, ``temporal_interval``, ...).
    """

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4., qkv_bias: bool = False,
                 qk_scale: Optional[float] = None, drop: float = 0., attn_drop: float = 0., drop_path: float = 0.,
                 emim: Optional[dict] = None, init_cfg: Optional[dict] = None):
        super().__init__(dim, num_heads, mlp_ratio, qkv_bias, qk_scale, drop, attn_drop, drop_path, init_cfg)
        self.attn = EMIMAttention(dim, num_heads, qkv_bias=qkv_bias, qk_scale=qk_scale, attn_drop=attn_drop,
                                  proj_drop=drop, **(emim or {}))

    def forward(self, x: torch.Tensor, return_affinity: bool = False):
        x = x + self.pos_embed(x)
        batch, channels, frames, height, width = x.shape
        tokens = x.flatten(2).transpose(1, 2)
        attended = self.attn(self.norm1(tokens), (frames, height, width), return_affinity)
        if return_affinity:
            attended, affinity = attended
        tokens = tokens + self.drop_path(attended)
        tokens = tokens + self.drop_path(self.mlp(self.norm2(tokens)))
        out = tokens.transpose(1, 2).reshape(batch, channels, frames, height, width)
        return (out, affinity) if return_affinity else out


@MODELS.register_module()
class UniFormerEMIM(UniFormer):
    """UniFormer (v1) with EMIM in stages 3-4.

    Args:
        arch (str | dict): ``'s'`` (depth [3, 4, 8, 3]) or ``'b'`` ([5, 8, 20, 7]), or a dict with
            ``depth``. Defaults to ``'s'``.
        emim_stages (Sequence[int]): Stages (3, 4) whose blocks follow ``placement``. Defaults to (3, 4);
            Table 5 uses stage 3 only.
        placement (str): ``'E-O'`` (EMIM in the first of every two successive blocks, the paper's default),
            ``'O-E'``, ``'E-E'`` or ``'O-O'`` (no EMIM: the baseline). Table 8.
        temporal_downsample (bool): Keep the stride-2 temporal convolution of stage 1. Defaults to False,
            as in the paper (its weights are the same shape, so UniFormer checkpoints load either way).
        window_size, temporal_interval, sampling, with_motion, motion_act, edge_mode, appearance, backend: of
            every :class:`EMIMAttention` (see there). Defaults: 7, 1, ``'sliding'``, True, ``'quick_gelu'``,
            ``'repeat'``, ``'window'`` (``'global'``: Table 10's variant), ``'torch'`` (``'natten'``: NATTEN
            0.17-0.19 kernels, same values).
        pretrained (str, optional): A local checkpoint loaded by :meth:`load_pretrained` after ``init_cfg``:
            an MMAction2 UniFormer / UniFormer-EMIM recognizer or backbone, EMIM's official SlowFast checkpoint
            (``model_state``), or an ImageNet UniFormer (2D weights, inflated along time). Defaults to None.
        inflate (str): How 2D kernels of an ImageNet checkpoint become 3D: ``'average'`` (repeated over time and
            divided by its length: EMIM's official code) or ``'center'`` (the centre frame: MMAction2's
            UniFormer). Defaults to ``'average'``.
        pretrained2d (bool): Unused (the checkpoint's own weights tell 2D from 3D); kept for the configs
            of MMAction2's UniFormer. Defaults to False.
        patch_norm (str): Norm of every patch embedding's tokens: ``'LN'`` (UniFormer's LayerNorm per token) or
            ``'BN'`` (:class:`TokenBatchNorm`: per channel over the batch and the tokens). Defaults to ``'LN'``.
        stem_act_cfg (dict, optional): Activation after the first patch embedding (e.g. ``dict(type='ReLU')``).
            Defaults to None (none, as UniFormer).
        overlap_patch_embed (bool): Patch embeddings 2-4 as 3x3x3 convolutions with stride (1, 2, 2) and padding 1
            (overlapping, mixing neighbouring frames, keeping the last row and column of an odd-sized map) instead
            of UniFormer's 1x2x2 patches with stride 2. Defaults to False.
        local_conv (str): The token mixer of the convolutional blocks of stages 1-2: ``'depthwise'`` (UniFormer's
            depthwise 5x5x5) or ``'dense'`` (a 3x3x3 convolution mixing every channel). Defaults to ``'depthwise'``.
        stream_act_cfg (dict, optional): Activation applied to the residual stream after every block (e.g.
            ``dict(type='ReLU')``: ResNet's post-activation). Defaults to None (a linear stream, as UniFormer).
        final_norm (bool): Keep UniFormer's BatchNorm on the output. Defaults to True.

            The five options above exist for small data trained from scratch: with ``patch_norm='BN'``,
            ``stem_act_cfg=dict(type='ReLU')`` and the other three changed, the tiny demo configs learn where
            UniFormer's own recipe collapses to the class prior (docs/demo_learning.md). Their defaults are
            UniFormer's, which the released checkpoints need; changed, they change parameter shapes
            (``overlap_patch_embed``, ``local_conv``) or add BatchNorm statistics (``patch_norm``), not names.
        **kwargs: The other arguments of MMAction2's ``UniFormer`` (``embed_dim``, ``head_dim``,
            ``drop_path_rate``, ``init_cfg``, ...).

    Shapes:
        ``(B, 3, T, H, W)`` -> ``(B, embed_dim[-1], T / 2^temporal_downsample, H / 32, W / 32)``.
    """
    arch_settings = {'s': dict(depth=[3, 4, 8, 3]), 'b': dict(depth=[5, 8, 20, 7])}

    def __init__(self, arch: Union[str, Dict] = 's', emim_stages: Sequence[int] = (3, 4), placement: str = 'E-O',
                 temporal_downsample: bool = False, window_size: int = 7, temporal_interval: int = 1,
                 sampling: str = 'sliding', with_motion: bool = True, motion_act: str = 'quick_gelu',
                 edge_mode: str = 'repeat', appearance: str = 'window', backend: str = 'torch',
                 pretrained2d: bool = False, inflate: str = 'average', patch_norm: str = 'LN',
                 stem_act_cfg: Optional[dict] = None, overlap_patch_embed: bool = False,
                 local_conv: str = 'depthwise', stream_act_cfg: Optional[dict] = None, final_norm: bool = True,
                 **kwargs):
        if isinstance(arch, str):
            if arch not in self.arch_settings:
                raise ValueError(f'UniFormerEMIM: unknown arch {arch!r}; expected one of {sorted(self.arch_settings)} '
                                 'or a dict with depth')
            arch = self.arch_settings[arch]
        if 'depth' in kwargs:
            raise ValueError("UniFormerEMIM: give the depth through arch=dict(depth=...), not depth=")
        if inflate not in ('average', 'center'):
            raise ValueError(f"UniFormerEMIM: inflate must be 'average' or 'center', got {inflate!r}")
        self.inflate = inflate
        if placement not in PLACEMENTS:
            raise ValueError(f'UniFormerEMIM: unknown placement {placement!r}; expected one of {sorted(PLACEMENTS)}')
        if not set(emim_stages) <= {3, 4}:
            raise ValueError(f'UniFormerEMIM: emim_stages {tuple(emim_stages)}: only the attention stages 3 and 4 '
                             'can take EMIM')
        if patch_norm not in ('LN', 'BN'):
            raise ValueError(f"UniFormerEMIM: patch_norm must be 'LN' or 'BN', got {patch_norm!r}")
        if local_conv not in ('depthwise', 'dense'):
            raise ValueError(f"UniFormerEMIM: local_conv must be 'depthwise' or 'dense', got {local_conv!r}")
        super().__init__(depth=list(arch['depth']), pretrained2d=pretrained2d, **kwargs)
        self._small_data_options(patch_norm, overlap_patch_embed, local_conv, final_norm)
        self.stem_act = build_activation_layer(stem_act_cfg) if stem_act_cfg else nn.Identity()
        self.stream_act = build_activation_layer(stream_act_cfg) if stream_act_cfg else nn.Identity()
        self.emim_stages, self.placement = tuple(emim_stages), placement
        if not temporal_downsample:
            self.patch_embed1.proj.stride = (1, *self.patch_embed1.proj.stride[1:])
        emim = dict(window_size=window_size, temporal_interval=temporal_interval, sampling=sampling,
                    with_motion=with_motion, motion_act=motion_act, edge_mode=edge_mode, appearance=appearance,
                    backend=backend)
        for stage in self.emim_stages:
            blocks = getattr(self, f'blocks{stage}')
            for index, block in enumerate(blocks):
                if PLACEMENTS[placement][index % 2]:
                    blocks[index] = self._emim_block(block, emim)

    def _small_data_options(self, patch_norm: str, overlap_patch_embed: bool, local_conv: str,
                            final_norm: bool) -> None:
        """Swap the layers UniFormer built for those the options ask for (same names)."""
        for stage in range(1, 5):
            embed = getattr(self, f'patch_embed{stage}')
            if patch_norm == 'BN':
                embed.norm = TokenBatchNorm(embed.norm.normalized_shape[0])
            if overlap_patch_embed and stage > 1:
                embed.proj = nn.Conv3d(embed.proj.in_channels, embed.proj.out_channels, 3, stride=(1, 2, 2),
                                       padding=1)
        if local_conv == 'dense':
            for block in [*self.blocks1, *self.blocks2]:
                if isinstance(block, CBlock):
                    channels = block.attn.in_channels
                    block.attn = nn.Conv3d(channels, channels, 3, padding=1)
        if not final_norm:
            self.norm = nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(B, 3, T, H, W)`` -> ``(B, C, T', H / 32, W / 32)``: UniFormer's forward, with the stem and stream
        activations (identities by default)."""
        x = self.pos_drop(self.stem_act(self.patch_embed1(x)))
        for stage in range(1, 5):
            if stage > 1:
                x = getattr(self, f'patch_embed{stage}')(x)
            for block in getattr(self, f'blocks{stage}'):
                x = self.stream_act(block(x))
        return self.norm(x)

    @staticmethod
    def _emim_block(block: SABlock, emim: dict) -> EMIMBlock:
        """An :class:`EMIMBlock` with the options of ``block`` (an ``SABlock`` built by UniFormer)."""
        attn = block.attn
        drop_path = block.drop_path.drop_prob if isinstance(block.drop_path, DropPath) else 0.
        dim = attn.qkv.in_features
        return EMIMBlock(dim, attn.num_heads, mlp_ratio=block.mlp.fc1.out_features / dim,
                         qkv_bias=attn.qkv.bias is not None, qk_scale=attn.scale, drop=block.mlp.drop.p,
                         attn_drop=attn.attn_drop.p, drop_path=drop_path, emim=emim)

    def init_weights(self) -> None:
        """``init_cfg`` (each EMIM attention then restores its official init), then ``pretrained`` if given.

        MMAction2's ``UniFormer.init_weights`` is bypassed: it downloads named ImageNet weights and, with
        ``pretrained2d=True`` and no name, skips ``init_cfg``."""
        BaseModule.init_weights(self)
        if self.pretrained:
            require_pretrained_file(self.pretrained, type(self).__name__,
                                    'ImageNet UniFormer checkpoints (github Sense-X/UniFormer) and MMAction2 UniFormer '
                                    'checkpoints load as they are (docs/emim.md, "Weights").',
                                    'model.backbone.pretrained')
            self.load_pretrained(self.pretrained)

    def load_pretrained(self, checkpoint: str) -> Tuple[List[str], List[str]]:
        """Load a local UniFormer, UniFormer-EMIM or ImageNet UniFormer checkpoint (a bare state dict or one
        under ``state_dict`` / ``model``; ``backbone.`` prefixes stripped, heads dropped). 2D convolution
        weights are inflated along time as ``inflate`` says. Keys this backbone lacks and
        keys the file lacks (the EMIM parameters when starting from UniFormer) are logged.

        Raises:
            ValueError: A tensor's shape fits neither directly nor by inflation (another width or arch),
                naming the key, both shapes and the file.

        Returns:
            tuple[list[str], list[str]]: missing and unexpected keys.
        """
        state_dict = load_official_state_dict(checkpoint, drop_prefixes=('head.', 'cls_head.'),
                                              strip_prefixes=('backbone.', 'module.'))
        own = self.state_dict()
        for key, value in state_dict.items():
            if key not in own or value.shape == own[key].shape:
                continue
            target = own[key].shape
            if value.dim() == 4 and len(target) == 5 and value.shape == target[:2] + target[3:]:
                state_dict[key] = self._inflate_weight(value, target[2], center=self.inflate == 'center')
            else:
                raise ValueError(f'{checkpoint}: {key} has shape {tuple(value.shape)}, {type(self).__name__} '
                                 f'expects {tuple(target)}: a checkpoint of another arch or width?')
        return load_state_dict_logged(self, state_dict, checkpoint)

    def emim_blocks(self) -> List[str]:
        """Names of the blocks with EMIM attention, e.g. ``['blocks3.0', 'blocks3.2', ...]``."""
        return [name for name, module in self.named_modules() if isinstance(module, EMIMBlock)]
