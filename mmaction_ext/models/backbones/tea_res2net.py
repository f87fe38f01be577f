"""TEA (Li et al., CVPR 2020): a Res2Net-50 26w4s trunk with motion excitation (ME) and multiple temporal
aggregation (MTA) in every bottleneck, for any number of frames.

Built on mmdet's ``ResNet`` (stem, stages, freezing, ``norm_eval``) and ``Bottle2neck`` (the Res2Net split
convolutions, with the released Res2Net parameter names), so ImageNet Res2Net-50 26w4s weights
(``res2net50_26w_4s``: ``conv1``, ``bn1``, ``layerX.Y.{conv1,bn1,convs.i,bns.i,conv3,bn3,downsample.0/1}``) load
as they are; ME and the temporal convolutions start as in TEA (ME random; temporal convolutions as identity,
the last split's as a half-left / half-right shift), so the pretrained trunk is where training starts.
"""
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmcv.cnn import build_conv_layer, build_norm_layer
from mmdet.models.backbones.res2net import Bottle2neck
from mmdet.models.backbones.resnet import ResNet
from mmengine.model import Sequential
from torch import nn

from mmaction_ext.fileio import load_official_state_dict
from mmaction_ext.models.utils import (compare_state_dict_shapes, load_state_dict_logged, require_pretrained_file,
                                       summarise_keys)


def _fold_time(x: torch.Tensor, num_frames: int) -> torch.Tensor:
    """``(N T, C, H, W)`` -> ``(N, C, T, H, W)``."""
    frames_total, channels, height, width = x.shape
    if frames_total % num_frames:
        raise ValueError(f'TEA: a batch of {frames_total} frames is not a multiple of T={num_frames}')
    return x.reshape(frames_total // num_frames, num_frames, channels, height, width).transpose(1, 2)


def _unfold_time(x: torch.Tensor) -> torch.Tensor:
    """``(N, C, T, H, W)`` -> ``(N T, C, H, W)``."""
    return x.transpose(1, 2).flatten(0, 1)


class TemporalShiftConv(nn.Module):
    """A channel-wise temporal convolution (kernel 3, no bias) initialised as the identity
    (``mode='identity'``) or as a shift: the first half of the channels reads frame ``t + 1``, the second
    half frame ``t - 1`` (``mode='shift'``), as TEA's MTA initialises its temporal convolutions."""

    def __init__(self, channels: int, mode: str = 'identity'):
        super().__init__()
        if mode not in ('identity', 'shift'):
            raise ValueError(f"mode={mode!r}: 'identity' or 'shift'")
        self.mode = mode
        self.conv = nn.Conv3d(channels, channels, (3, 1, 1), padding=(1, 0, 0), groups=channels, bias=False)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        weight = torch.zeros_like(self.conv.weight)  # (C, 1, 3, 1, 1): taps t-1, t, t+1
        if self.mode == 'identity':
            weight[:, 0, 1] = 1
        else:
            half = weight.shape[0] // 2
            weight[:half, 0, 2] = 1
            weight[half:, 0, 0] = 1
        with torch.no_grad():
            self.conv.weight.copy_(weight)

    def forward(self, x: torch.Tensor, num_frames: int) -> torch.Tensor:
        return _unfold_time(self.conv(_fold_time(x, num_frames)))


class MotionExcitation(nn.Module):
    """TEA's ME: channel attention from feature-level temporal differences.

    ``x_r = BN(conv1x1(x))`` (``C -> C / r``); ``m_t = dwconv3x3(x_r[t + 1]) - x_r[t]`` (``m_T = 0``);
    ``a = sigmoid(BN(conv1x1(GAP(m)))) - 0.5``; output ``x + x * a`` (TEA's residual form).
    """

    def __init__(self, channels: int, reduction: int = 16):
        super().__init__()
        reduced = channels // reduction
        self.squeeze = nn.Conv2d(channels, reduced, 1, bias=False)
        self.squeeze_norm = nn.BatchNorm2d(reduced)
        self.transform = nn.Conv2d(reduced, reduced, 3, padding=1, groups=reduced, bias=False)
        self.expand = nn.Conv2d(reduced, channels, 1, bias=False)
        self.expand_norm = nn.BatchNorm2d(channels)

    def forward(self, x: torch.Tensor, num_frames: int) -> torch.Tensor:
        reduced = self.squeeze_norm(self.squeeze(x))
        current = _fold_time(reduced, num_frames)
        following = _fold_time(self.transform(reduced), num_frames)
        motion = F.pad(following[:, :, 1:] - current[:, :, :-1], (0, 0, 0, 0, 0, 1))  # zero for the last frame
        attention = self.expand_norm(self.expand(_unfold_time(motion).mean(dim=(2, 3), keepdim=True)))
        return x + x * (torch.sigmoid(attention) - 0.5)


class TEABottle2neck(Bottle2neck):
    """mmdet's ``Bottle2neck`` with ME after ``conv1`` and a temporal convolution before each split's spatial
    convolution (MTA). Splits are aggregated as in Res2Net: split ``i`` adds the previous split's output
    (``'normal'`` blocks), the last split passes (``'stage'`` blocks: average-pooled, also at stride 1, as the
    released Res2Net). ``num_frames`` is set by :class:`TEAResNet` before each forward."""

    def __init__(self, inplanes, planes, me_reduction: int = 16, **kwargs):
        super().__init__(inplanes, planes, **kwargs)
        if self.with_dcn or self.with_plugins:
            raise ValueError('TEABottle2neck supports neither dcn nor plugins')
        self.me = MotionExcitation(self.width * self.scales, me_reduction)
        self.temporal_convs = nn.ModuleList([TemporalShiftConv(self.width) for _ in range(self.scales - 1)] +
                                            [TemporalShiftConv(self.width, 'shift')])
        if self.stage_type == 'stage' and self.conv2_stride == 1:
            self.pool = nn.AvgPool2d(kernel_size=3, stride=1, padding=1)
        self.num_frames = 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        t = self.num_frames
        out = self.me(self.relu(self.norm1(self.conv1(x))), t)
        splits = torch.split(out, self.width, 1)
        outputs = []
        for i in range(self.scales - 1):
            sp = splits[i] if i == 0 or self.stage_type == 'stage' else outputs[-1] + splits[i]
            outputs.append(self.relu(self.bns[i](self.convs[i](self.temporal_convs[i](sp, t)))))
        last = self.temporal_convs[-1](splits[-1], t)
        outputs.append(self.pool(last) if self.stage_type == 'stage' else last)
        out = self.norm3(self.conv3(torch.cat(outputs, 1)))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


@MODELS.register_module()
class TEAResNet(ResNet):
    """TEA-ResNet50 (Res2Net-50 26w4s trunk + ME + MTA) on clips of any length.

    Args:
        depth (int): 50 (the released Res2Net-50 26w4s layout: 3, 4, 6, 3 blocks).
        scales (int): Res2Net splits (4). base_width (int): width per split at 64 planes (26).
        me_reduction (int): ME channel reduction ``r`` (16).
        pretrained (str, optional): Local ImageNet Res2Net-50 26w4s weights (``res2net50_26w_4s``); read by
            ``init_weights`` through the safe loader, ``fc`` dropped, keys reported.
        out_indices (Sequence[int]): Stages returned (default the last, res5).
        **kwargs: mmdet ``ResNet`` arguments (``frozen_stages``, ``norm_eval``, ``norm_cfg``, ``with_cp``).

    Shapes: ``(N, 3, T, H, W)`` -> ``(N, 2048, T, H / 32, W / 32)`` (a tuple if several ``out_indices``).
    """

    arch_settings = {50: (TEABottle2neck, (3, 4, 6, 3))}

    def __init__(self, depth: int = 50, scales: int = 4, base_width: int = 26, me_reduction: int = 16,
                 pretrained: Optional[str] = None, out_indices: Sequence[int] = (3, ), init_cfg=None, **kwargs):
        self.scales, self.base_width, self.me_reduction = scales, base_width, me_reduction
        super().__init__(depth=depth, out_indices=out_indices, style='pytorch', deep_stem=False, avg_down=False,
                         init_cfg=init_cfg, **kwargs)
        self.pretrained_path = pretrained
        # The blocks that read T, found once (registered as submodules already; a plain list adds none).
        self._tea_blocks = [module for module in self.modules() if isinstance(module, TEABottle2neck)]

    def make_res_layer(self, block, inplanes, planes, num_blocks, stride=1, dilation=1, conv_cfg=None,
                       norm_cfg=dict(type='BN'), **kwargs):
        """One stage, the first block downsampling by a strided 1x1 convolution (Res2Net v1, not mmdet's
        average-pooled v1b)."""
        downsample = None
        if stride != 1 or inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                build_conv_layer(conv_cfg, inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                build_norm_layer(norm_cfg, planes * block.expansion)[1])
        common = dict(planes=planes, conv_cfg=conv_cfg, norm_cfg=norm_cfg, scales=self.scales,
                      base_width=self.base_width, base_channels=64, me_reduction=self.me_reduction,
                      dilation=dilation, style=kwargs.get('style', 'pytorch'), with_cp=kwargs.get('with_cp', False))
        layers = [block(inplanes=inplanes, stride=stride, downsample=downsample, stage_type='stage', **common)]
        layers += [block(inplanes=planes * block.expansion, stride=1, **common) for _ in range(1, num_blocks)]
        return Sequential(*layers)

    def init_weights(self) -> None:
        """``init_cfg`` (mmdet's Kaiming / constant by default), ME and temporal convolutions reset to TEA's
        start, then the ImageNet Res2Net weights if ``pretrained``."""
        super().init_weights()
        for module in self.modules():
            if isinstance(module, TemporalShiftConv):
                module.reset_parameters()
        if self.pretrained_path:
            require_pretrained_file(self.pretrained_path, type(self).__name__,
                                    'The ImageNet Res2Net-50 26w4s release (res2net50_26w_4s) loads as it is '
                                    '(docs/art.md, "Weights").', 'model.backbone.pretrained')
            self.load_res2net(self.pretrained_path)

    def load_res2net(self, filename: str) -> None:
        state_dict = load_official_state_dict(filename, drop_prefixes=('fc.', ), strip_prefixes=('module.', ))
        reference = {key: tuple(value.shape) for key, value in self.state_dict().items()}
        _, _, mismatched = compare_state_dict_shapes(state_dict, reference)
        if mismatched:
            raise ValueError(f'{filename} is not a Res2Net-{self.depth} {self.base_width}w{self.scales}s: '
                             f'{len(mismatched)} shapes differ: {summarise_keys(mismatched, 4)}')
        load_state_dict_logged(self, state_dict, filename)  # ME / MTA tensors: missing, they keep TEA's init

    def forward(self, x: torch.Tensor):
        if x.dim() != 5:
            raise ValueError(f'TEAResNet expects clips (N, 3, T, H, W), got {tuple(x.shape)}')
        num_frames = x.shape[2]
        for block in self._tea_blocks:
            block.num_frames = num_frames
        outs = [_fold_time(out, num_frames) for out in super().forward(_unfold_time(x))]
        return outs[0] if len(outs) == 1 else tuple(outs)
