"""Backbone adapters of CSA: any MMAction2 3-D backbone's output -> 4 spatio-temporal scales of ``D`` channels.

- :class:`SimplePyramid3D` turns one plain-ViT feature map (MMAction2's VideoMAE ``VisionTransformer``
  with ``return_feat_map=True``) into a ViTDet-style pyramid: x4 (two ``(1, 2, 2)`` transposed
  convolutions), x2 (one), x1 and x1/2 (max-pool), each then ``1x1 conv -> LayerNorm -> 3x3 conv``.
- :class:`MultiLevelProjection3D` projects the levels of a multi-level backbone (CSN-152 layers 2-4,
  Video-FocalNet ``out_indices``...) with ``1x1x1 Conv3d + GroupNorm`` and adds levels with a ``3x3x3``
  convolution of stride ``(1, 2, 2)`` (+ GroupNorm) on the last one.

Inputs and outputs are ``(B, C, T, H, W)``.
"""
from typing import List, Sequence, Tuple, Union

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor, nn


class ChannelLayerNorm3d(nn.LayerNorm):
    """LayerNorm over the channels of a ``(B, C, T, H, W)`` map (ViTDet's / ConvNeXt's channels-first LN)."""

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(x.movedim(1, -1)).movedim(-1, 1)


@MODELS.register_module()
class SimplePyramid3D(BaseModule):
    """ViTDet's simple feature pyramid in 3-D (CSA's ViT-B adapter; official ``backbone_3d_builder.py``).

    Args:
        in_channels (int): Channels of the ViT map (768 for ViT-B).
        out_channels (int): ``D``. Defaults to 256.
        scales (Sequence[float]): Spatial scale of each level against the ViT map; each of 4, 2, 1,
            0.5. Defaults to ``(4, 2, 1, 0.5)``: strides 4, 8, 16, 32 for a 16-pixel patch.
        eps (float): LayerNorm epsilon. Defaults to 1e-6 (ConvNeXt's, as the official code).
    """

    def __init__(self, in_channels: int = 768, out_channels: int = 256, scales: Sequence[float] = (4, 2, 1, 0.5),
                 eps: float = 1e-6, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.scales = tuple(float(scale) for scale in scales)
        self.levels = nn.ModuleList([self._level(in_channels, out_channels, scale, eps) for scale in self.scales])

    @staticmethod
    def _level(dim: int, out_channels: int, scale: float, eps: float) -> nn.Sequential:
        up = dict(kernel_size=(1, 2, 2), stride=(1, 2, 2))
        if scale == 4:
            layers = [nn.ConvTranspose3d(dim, dim // 2, **up), ChannelLayerNorm3d(dim // 2, eps=eps), nn.GELU(),
                      nn.ConvTranspose3d(dim // 2, dim // 4, **up)]
            dim //= 4
        elif scale == 2:
            layers = [nn.ConvTranspose3d(dim, dim // 2, **up)]
            dim //= 2
        elif scale == 1:
            layers = []
        elif scale == 0.5:
            layers = [nn.MaxPool3d(**up)]
        else:
            raise ValueError(f'SimplePyramid3D: scale {scale} not supported (4, 2, 1 or 0.5)')
        layers += [nn.Conv3d(dim, out_channels, 1, bias=False), ChannelLayerNorm3d(out_channels, eps=eps),
                   nn.Conv3d(out_channels, out_channels, 3, padding=1, bias=False)]
        return nn.Sequential(*layers)

    def forward(self, x: Union[Tensor, Sequence[Tensor]]) -> Tuple[Tensor, ...]:
        """``x``: the ViT map ``(B, C, T, H, W)`` (or a 1-tuple of it). Returns one map per scale."""
        if isinstance(x, (list, tuple)):
            if len(x) != 1:
                raise ValueError(f'SimplePyramid3D takes one ViT feature map, got {len(x)}')
            x = x[0]
        if x.dim() != 5:
            raise ValueError(f'SimplePyramid3D: expected a (B, C, T, H, W) map, got shape {tuple(x.shape)}; '
                             'build the VisionTransformer with return_feat_map=True')
        return tuple(level(x) for level in self.levels)


@MODELS.register_module()
class MultiLevelProjection3D(BaseModule):
    """Project a multi-level 3-D backbone's maps to ``D`` channels and extend them to ``num_levels``.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels used (CSN-152 layers 2-4:
            ``(512, 1024, 2048)``).
        out_channels (int): ``D``. Defaults to 256.
        num_levels (int): Output levels; those beyond the inputs are ``3x3x3`` convolutions of stride
            ``(1, 2, 2)`` (+ GroupNorm) of the last input level, then of the previous extra level.
            Defaults to 4.
        in_indices (Sequence[int], optional): Which backbone outputs to use (CSN: ``(1, 2, 3)``, the
            official code drops layer 1). Defaults to all.
        num_groups (int): GroupNorm groups. Defaults to 32.
    """

    def __init__(self, in_channels: Sequence[int] = (512, 1024, 2048), out_channels: int = 256, num_levels: int = 4,
                 in_indices: Sequence[int] = None, num_groups: int = 32, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if num_levels < len(in_channels):
            raise ValueError(f'MultiLevelProjection3D: num_levels={num_levels} < {len(in_channels)} input levels')
        self.in_indices = tuple(range(len(in_channels))) if in_indices is None else tuple(in_indices)
        if len(self.in_indices) != len(in_channels):
            raise ValueError(f'MultiLevelProjection3D: in_indices {self.in_indices} and in_channels {tuple(in_channels)} '
                             'differ in length')
        self.lateral = nn.ModuleList([
            nn.Sequential(nn.Conv3d(channels, out_channels, 1), nn.GroupNorm(num_groups, out_channels))
            for channels in in_channels])
        extra_in = [in_channels[-1]] + [out_channels] * (num_levels - len(in_channels) - 1)
        self.extra = nn.ModuleList([
            nn.Sequential(nn.Conv3d(channels, out_channels, 3, stride=(1, 2, 2), padding=1),
                          nn.GroupNorm(num_groups, out_channels))
            for channels in extra_in[:num_levels - len(in_channels)]])

    def init_weights(self) -> None:
        """Xavier-uniform 1x1 projections with zero bias (official), unless ``init_cfg`` is given."""
        if self.init_cfg:
            return super().init_weights()
        for block in self.lateral:
            nn.init.xavier_uniform_(block[0].weight, gain=1)
            nn.init.zeros_(block[0].bias)

    def forward(self, feats: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        if isinstance(feats, Tensor):
            feats = (feats, )
        if max(self.in_indices) >= len(feats):
            raise ValueError(f'MultiLevelProjection3D: in_indices {self.in_indices} but the backbone gave '
                             f'{len(feats)} maps; set the backbone\'s out_indices')
        outs: List[Tensor] = []
        for index, lateral in zip(self.in_indices, self.lateral):
            feat = feats[index]
            if feat.dim() != 5 or feat.shape[1] != lateral[0].in_channels:
                raise ValueError(f'MultiLevelProjection3D: backbone output {index} has shape {tuple(feat.shape)}, '
                                 f'expected (B, {lateral[0].in_channels}, T, H, W)')
            outs.append(lateral(feat))
        source = feats[self.in_indices[-1]]
        for extra in self.extra:
            source = extra(source)
            outs.append(source)
        return tuple(outs)


__all__ = ['SimplePyramid3D', 'MultiLevelProjection3D', 'ChannelLayerNorm3d']
