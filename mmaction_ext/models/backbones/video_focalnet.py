"""Video-FocalNet backbone (Wasim et al., "Video-FocalNets: Spatio-Temporal Focal Modulation for
Video Action Recognition", ICCV 2023).

A hierarchical 2D network applied to every frame (patch embedding, four stages,
downsampling at the end of the first three) whose token mixer is the
spatio-temporal focal modulation of :mod:`mmaction_ext.models.layers`. Time is
never downsampled; frames only interact inside the modulation's temporal branch.
Parameter names follow the official implementation (``docs/video_focalnet.md``); the mapping of
official checkpoints (:func:`convert_video_focalnet`) sits at the end of this file.
"""
import re
from collections import OrderedDict
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmcv.cnn import build_activation_layer
from mmcv.cnn.bricks import DropPath
from mmengine.model import BaseModule
from mmengine.model.weight_init import initialize
from torch import nn

from ...fileio import load_official_state_dict
from ..layers import SpatioTemporalFocalModulation
from ..utils import load_state_dict_logged, require_pretrained_file

# The official init: trunc-normal (std 0.02) Linear weights with zero bias, unit LayerNorms; convs keep
# PyTorch's default init.
OFFICIAL_INIT = [
    dict(type='TruncNormal', layer='Linear', std=0.02, bias=0.0),
    dict(type='Constant', layer='LayerNorm', val=1.0, bias=0.0),
]


class Mlp(nn.Sequential):
    """``fc1 -> GELU -> drop -> fc2 -> drop`` on channels-last tokens."""

    def __init__(self, dims: int, hidden_dims: int, drop: float = 0.0):
        super().__init__()
        self.fc1 = nn.Linear(dims, hidden_dims)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(drop)
        self.fc2 = nn.Linear(hidden_dims, dims)
        self.drop2 = nn.Dropout(drop)


class VideoFocalNetBlock(nn.Module):
    """Pre-norm residual block: focal modulation, then an MLP.

    Drop-path acts on dim 0 of ``(B * T, H, W, C)``, i.e. on every frame
    independently, as in the official code.
    """

    def __init__(self, dims: int, num_frames: int, mlp_ratio: float = 4.0, drop: float = 0.0,
                 drop_path: float = 0.0, focal_level: int = 2, focal_window: int = 3, use_postln: bool = False,
                 use_postln_in_modulation: bool = False, normalize_modulator: bool = False,
                 use_layerscale: bool = False, layerscale_value: float = 1e-4, temporal: bool = True):
        super().__init__()
        self.use_postln = use_postln
        self.norm1 = nn.LayerNorm(dims)
        self.modulation = SpatioTemporalFocalModulation(
            dims, num_frames, focal_level=focal_level, focal_window=focal_window, proj_drop=drop,
            normalize_modulator=normalize_modulator, use_postln_in_modulation=use_postln_in_modulation,
            temporal=temporal)
        self.drop_path = DropPath(drop_path) if drop_path > 0 else nn.Identity()
        self.norm2 = nn.LayerNorm(dims)
        self.mlp = Mlp(dims, int(dims * mlp_ratio), drop)
        if use_layerscale:
            self.gamma_1 = nn.Parameter(layerscale_value * torch.ones(dims))
            self.gamma_2 = nn.Parameter(layerscale_value * torch.ones(dims))
        else:
            self.gamma_1 = self.gamma_2 = 1.0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.use_postln:
            x = x + self.drop_path(self.gamma_1 * self.norm1(self.modulation(x)))
            return x + self.drop_path(self.gamma_2 * self.norm2(self.mlp(x)))
        x = x + self.drop_path(self.gamma_1 * self.modulation(self.norm1(x)))
        return x + self.drop_path(self.gamma_2 * self.mlp(self.norm2(x)))


def _optional_activation(act_cfg: Optional[dict]) -> nn.Module:
    return build_activation_layer(act_cfg) if act_cfg is not None else nn.Identity()


class PatchEmbed(nn.Module):
    """Strided conv, optional activation, LayerNorm: ``(N, C_in, H, W) -> (N, H / s, W / s, C_out)``."""

    def __init__(self, in_channels: int, out_channels: int, patch_size: int, act_cfg: Optional[dict] = None):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, out_channels, patch_size, stride=patch_size)
        self.act = _optional_activation(act_cfg)
        self.norm = nn.LayerNorm(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.norm(self.act(self.proj(x)).permute(0, 2, 3, 1))


class TubeletEmbed(nn.Module):
    """Conv3d over ``tubelet_size`` frames and ``patch_size`` pixels, optional activation, LayerNorm:
    ``(N, C_in, T, H, W) -> (N * T / t, H / p, W / p, C_out)`` with ``t`` varying fastest."""

    def __init__(self, in_channels: int, out_channels: int, patch_size: int, tubelet_size: int,
                 act_cfg: Optional[dict] = None):
        super().__init__()
        kernel = (tubelet_size, patch_size, patch_size)
        self.proj = nn.Conv3d(in_channels, out_channels, kernel, stride=kernel)
        self.act = _optional_activation(act_cfg)
        self.norm = nn.LayerNorm(out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.proj(x))  # (N, C, T', H', W')
        return self.norm(x.permute(0, 2, 3, 4, 1).flatten(0, 1))


class VideoFocalNetStage(nn.Module):
    """Blocks at one resolution, then (except in the last stage) a 2x downsampling."""

    def __init__(self, dims: int, depth: int, out_dims: Optional[int], drop_paths: Sequence[float],
                 **block_kwargs):
        super().__init__()
        self.blocks = nn.ModuleList(VideoFocalNetBlock(dims, drop_path=p, **block_kwargs) for p in drop_paths)
        assert len(self.blocks) == depth
        self.downsample = PatchEmbed(dims, out_dims, 2) if out_dims else None

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Returns the stage's features and the input of the next stage (channels last)."""
        for block in self.blocks:
            x = block(x)
        if self.downsample is None:
            return x, x
        return x, self.downsample(x.permute(0, 3, 1, 2))


@MODELS.register_module()
class VideoFocalNet(BaseModule):
    """Video-FocalNet backbone.

    Args:
        arch (str | dict): ``'tiny'``, ``'small'``, ``'base'`` (or ``'t'``,
            ``'s'``, ``'b'``), or a dict with ``embed_dims``, ``depths``,
            ``focal_levels``, ``focal_windows``. Defaults to ``'tiny'``.
        num_frames (int): Frames ``T`` of every input clip. Defaults to 8.
        patch_size (int): Stem stride. Defaults to 4.
        tubelet_size (int): Frames per stem patch (the official code's
            ``tubelet_size``; 1, per-frame 2D patches, in every official config).
            With ``t > 1`` the stem is a Conv3d and the network runs on
            ``num_frames / t`` temporal tokens. Defaults to 1.
        in_channels (int): Defaults to 3.
        mlp_ratio (float): Defaults to 4.
        drop_rate (float): Dropout in the blocks. Defaults to 0.
        drop_path_rate (float | None): Stochastic depth, linear over blocks;
            None takes the arch's value (0.2 / 0.3 / 0.5 for T / S / B).
        use_postln, use_postln_in_modulation, normalize_modulator,
        use_layerscale, layerscale_value: as in the official code, all off.
        temporal (bool): False builds the image FocalNet (no temporal branch),
            which then treats every frame independently. Defaults to True.
        stem_act_cfg (dict | None): Activation between the stem conv and its
            LayerNorm; None is the official, linear stem. It has no weights,
            so checkpoints load either way. Defaults to None.
        out_indices (Sequence[int]): Stages whose features are returned.
            Defaults to ``(3, )``; the last stage is LayerNorm-ed (``norm``).
        pool (bool): Return the official pooled feature ``(N, 8C)``: ``norm``,
            spatial mean per frame, mean over frames. Needs ``out_indices=(3,)``.
            Defaults to False.
        pretrained (str | None): Checkpoint for :meth:`init_weights`: an image
            FocalNet (spatial weights are inflated, temporal layers keep their
            init) or a video one. Same as ``init_cfg=dict(type='Pretrained',
            checkpoint=...)``.
        init_cfg (dict | list[dict] | None): mmengine init config; None is the
            official init (:data:`OFFICIAL_INIT`). A ``Pretrained`` entry loads
            its checkpoint as ``pretrained`` does, after the other entries (or
            the official init) initialised what the file lacks.

    Shape:
        ``(N, 3, T, H, W)`` -> tuple of ``(N, C_i, T / t, H / 2^(i+2), W / 2^(i+2))``
        for ``i`` in ``out_indices`` (a single tensor if there is one index; ``t``
        is ``tubelet_size``), or
        ``(N, 8C)`` with ``pool=True``.
    """

    arch_settings: Dict[str, dict] = {
        'tiny': dict(embed_dims=96, depths=(2, 2, 6, 2), focal_levels=(2, 2, 2, 2), focal_windows=(3, 3, 3, 3),
                     drop_path_rate=0.2),
        'small': dict(embed_dims=96, depths=(2, 2, 18, 2), focal_levels=(2, 2, 2, 2),
                      focal_windows=(3, 3, 3, 3), drop_path_rate=0.3),
        'base': dict(embed_dims=128, depths=(2, 2, 18, 2), focal_levels=(2, 2, 2, 2),
                     focal_windows=(3, 3, 3, 3), drop_path_rate=0.5),
    }
    _aliases = {'t': 'tiny', 's': 'small', 'b': 'base'}

    def __init__(self, arch: Union[str, dict] = 'tiny', num_frames: int = 8, patch_size: int = 4,
                 tubelet_size: int = 1, in_channels: int = 3, mlp_ratio: float = 4.0, drop_rate: float = 0.0,
                 drop_path_rate: Optional[float] = None, use_postln: bool = False,
                 use_postln_in_modulation: bool = False, normalize_modulator: bool = False,
                 use_layerscale: bool = False, layerscale_value: float = 1e-4, temporal: bool = True,
                 stem_act_cfg: Optional[dict] = None, out_indices: Sequence[int] = (3, ), pool: bool = False,
                 pretrained: Optional[str] = None, init_cfg: Optional[dict] = None):
        if pretrained is not None:
            if init_cfg is not None:
                raise ValueError('VideoFocalNet: give either pretrained or init_cfg, not both')
            init_cfg = dict(type='Pretrained', checkpoint=pretrained)
        super().__init__(init_cfg=OFFICIAL_INIT if init_cfg is None else init_cfg)
        settings = self._arch_settings(arch)
        depths = tuple(settings['depths'])
        num_stages = len(depths)
        out_indices = tuple(i % num_stages for i in out_indices)
        if pool and out_indices != (num_stages - 1, ):
            raise ValueError(f'VideoFocalNet: pool=True returns the last stage only; got out_indices={out_indices}')
        if drop_path_rate is None:
            drop_path_rate = settings.get('drop_path_rate', 0.0)
        if num_frames % tubelet_size:
            raise ValueError(f'VideoFocalNet: num_frames={num_frames} is not a multiple of tubelet_size={tubelet_size}')
        self.num_frames, self.temporal, self.pool, self.out_indices = num_frames, temporal, pool, out_indices
        self.tubelet_size = tubelet_size
        dims = [settings['embed_dims'] * 2**i for i in range(num_stages)]
        self.embed_dims, self.num_features = dims[0], dims[-1]

        self.patch_embed = (PatchEmbed(in_channels, dims[0], patch_size, stem_act_cfg) if tubelet_size == 1 else
                            TubeletEmbed(in_channels, dims[0], patch_size, tubelet_size, stem_act_cfg))
        self.pos_drop = nn.Dropout(drop_rate)
        drop_paths = torch.linspace(0, drop_path_rate, sum(depths)).tolist()
        self.layers = nn.ModuleList()
        for i, depth in enumerate(depths):
            start = sum(depths[:i])
            self.layers.append(VideoFocalNetStage(
                dims[i], depth, dims[i + 1] if i < num_stages - 1 else None, drop_paths[start:start + depth],
                num_frames=num_frames // tubelet_size, mlp_ratio=mlp_ratio, drop=drop_rate,
                focal_level=settings['focal_levels'][i], focal_window=settings['focal_windows'][i],
                use_postln=use_postln, use_postln_in_modulation=use_postln_in_modulation,
                normalize_modulator=normalize_modulator, use_layerscale=use_layerscale,
                layerscale_value=layerscale_value, temporal=temporal))
        self.norm = nn.LayerNorm(dims[-1])

    @classmethod
    def _arch_settings(cls, arch: Union[str, dict]) -> dict:
        if isinstance(arch, str):
            name = cls._aliases.get(arch.lower(), arch.lower())
            if name not in cls.arch_settings:
                raise KeyError(f'VideoFocalNet: unknown arch {arch!r}; choose from '
                               f'{sorted(cls.arch_settings) + sorted(cls._aliases)} or give a dict')
            return cls.arch_settings[name]
        required = {'embed_dims', 'depths', 'focal_levels', 'focal_windows'}
        missing = required - set(arch)
        if missing:
            raise KeyError(f'VideoFocalNet: custom arch misses {sorted(missing)}')
        return arch

    def init_weights(self) -> None:
        """Apply ``init_cfg`` (the official init by default); a ``Pretrained`` entry loads its checkpoint
        with :meth:`load_pretrained` after the other entries initialised the rest."""
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [self.init_cfg]
        pretrained = [cfg for cfg in cfgs if cfg.get('type') == 'Pretrained']
        if not pretrained:
            super().init_weights()
            return
        initialize(self, [cfg for cfg in cfgs if cfg.get('type') != 'Pretrained'] or OFFICIAL_INIT)
        require_pretrained_file(pretrained[0]['checkpoint'], type(self).__name__,
                                'Official FocalNet (ImageNet) and Video-FocalNet checkpoints load as they are '
                                '(docs/video_focalnet.md, "Checkpoints").', 'model.backbone.pretrained')
        self.load_pretrained(pretrained[0]['checkpoint'])
        self._is_init = True

    def load_pretrained(self, checkpoint: str):
        """Load an official (image or video) FocalNet or one of ours into this backbone.

        The classification head is dropped; keys this backbone lacks and keys
        the file lacks (the temporal layers when inflating an image FocalNet)
        are logged, not fatal.

        Returns:
            tuple[list[str], list[str]]: missing and unexpected keys.
        """
        state_dict = load_official_state_dict(checkpoint, drop_prefixes=('head.', 'cls_head.'),
                                              strip_prefixes=('backbone.', 'module.'))
        stem = state_dict.get('patch_embed.proj.weight')
        if self.tubelet_size > 1 and stem is not None and stem.dim() == 4:
            # An image stem into a tubelet stem: repeat along time, divided by t (official inflation).
            state_dict['patch_embed.proj.weight'] = (
                stem.unsqueeze(2).repeat(1, 1, self.tubelet_size, 1, 1) / self.tubelet_size)
        return load_state_dict_logged(self, state_dict, checkpoint)

    def forward(self, x: torch.Tensor):
        if x.dim() != 5:
            raise ValueError(f'VideoFocalNet expects (N, C, T, H, W) input, got shape {tuple(x.shape)}')
        batch, _, frames, height, width = x.shape
        if self.temporal and frames != self.num_frames:
            raise ValueError(f'VideoFocalNet was built for num_frames={self.num_frames} but got an input with '
                             f'T={frames} (shape {tuple(x.shape)}); set backbone.num_frames to match the sampler')
        if self.tubelet_size > 1:
            x = self.pos_drop(self.patch_embed(x))
            frames //= self.tubelet_size
        else:
            # (N, C, T, H, W) -> (N*T, C, H, W) with t varying fastest, as the modulation expects.
            x = self.pos_drop(self.patch_embed(x.transpose(1, 2).reshape(batch * frames, -1, height, width)))
        outs = []
        for i, stage in enumerate(self.layers):
            features, x = stage(x)
            if i == len(self.layers) - 1:
                features = self.norm(features)
            if i in self.out_indices:
                outs.append(features)
        if self.pool:
            return outs[0].mean((1, 2)).view(batch, frames, -1).mean(1)
        outs = [o.view(batch, frames, *o.shape[1:]).permute(0, 4, 1, 2, 3).contiguous() for o in outs]
        return outs[0] if len(outs) == 1 else tuple(outs)


# ---------------------------------------------------------------------------- official checkpoints


def infer_video_focalnet_arch(state_dict: Dict) -> dict:
    """``arch`` dict and class count of an official Video-FocalNet state_dict (from shapes only)."""
    try:
        embed_dims = state_dict['patch_embed.proj.weight'].shape[0]
    except KeyError:
        raise KeyError('not a FocalNet state_dict: it has no patch_embed.proj.weight') from None
    depths, levels = {}, {}
    for key in state_dict:
        block = re.match(r'layers\.(\d+)\.blocks\.(\d+)\.', key)
        if block:
            stage, index = int(block.group(1)), int(block.group(2))
            depths[stage] = max(depths.get(stage, 0), index + 1)
        level = re.match(r'layers\.(\d+)\.blocks\.0\.modulation\.focal_layers\.(\d+)\.0\.weight', key)
        if level:
            stage = int(level.group(1))
            levels[stage] = max(levels.get(stage, 0), int(level.group(2)) + 1)
    stages = sorted(depths)
    if stages != list(range(len(stages))) or not stages:
        raise KeyError(f'not a FocalNet state_dict: stages {stages}')
    windows = []
    for stage in stages:
        first = state_dict[f'layers.{stage}.blocks.0.modulation.focal_layers.0.0.weight']
        windows.append(first.shape[-1])
    return dict(embed_dims=embed_dims, depths=tuple(depths[s] for s in stages),
                focal_levels=tuple(levels[s] for s in stages), focal_windows=tuple(windows))


def convert_video_focalnet(state_dict: Dict) -> Tuple['OrderedDict', dict, int]:
    """Map official keys (optionally ``module.``-prefixed, as DDP saves them) to ``backbone.*`` and
    ``cls_head.fc_cls.*``.

    Returns:
        tuple: converted state_dict, backbone ``arch`` dict, number of classes
        (0 if the file has no head).
    """
    official = OrderedDict((key[len('module.'):] if key.startswith('module.') else key, value)
                           for key, value in state_dict.items())
    converted = OrderedDict()
    for key, value in official.items():
        if key.startswith('head.'):
            converted['cls_head.fc_cls.' + key[len('head.'):]] = value
        else:
            converted['backbone.' + key] = value
    num_classes = official['head.weight'].shape[0] if 'head.weight' in official else 0
    return converted, infer_video_focalnet_arch(official), num_classes
