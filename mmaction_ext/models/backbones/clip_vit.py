"""A frozen CLIP ViT with ST-Adapters for video: ST-Adapter's model and FocusVideo's global branch.

The CLIP part is open_clip's ``VisionTransformer`` (``self.visual``, OpenAI's parameter names, so
``backbone.visual.*`` in our checkpoints equals ``visual.*`` in CLIP's); the blocks are run here one by one so
that adapters (and, in subclasses, queries) enter where a method names them: see :meth:`CLIPViT.forward_block`.
"""
from typing import Optional, Sequence, Tuple

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import nn

from mmaction_ext.models.layers.clip_vision import (CLIP_VISION_ARCHS, STAdapter, attention_with_extra_queries,
                                                    build_clip_visual, clip_vision_arch, load_clip_visual_state_dict)
from mmaction_ext.models.utils import require_pretrained_file

ADAPTER_POSITIONS = ('pre_attn', 'pre_mlp')
_DTYPES = {None: None, 'fp32': None, 'fp16': torch.float16, 'bf16': torch.bfloat16}


@MODELS.register_module()
class CLIPViT(BaseModule):
    """CLIP's image ViT applied to every frame, with ST-Adapters inside its blocks, CLIP frozen.

    Block ``l`` computes (ST-Adapter's eqs., FocusVideo eqs. 1-3; an adapter only where its position is set)::

        x = STAdapter_pre_attn(x);  x = x + MHSA(ln_1(x));  x = STAdapter_pre_mlp(x);  x = x + MLP(ln_2(x))

    Args:
        arch (str | dict): A name in :data:`~mmaction_ext.models.layers.clip_vision.CLIP_VISION_ARCHS`
            (``'ViT-B/16'``, ``'ViT-L/14'``, ...) or a dict of ``width, layers, patch_size, image_size``.
        num_frames (int): ``T`` of the input clips (checked; the adapters' temporal convolution itself works
            for any ``T``).
        input_resolution (int, optional): Frame side; the positional embedding of the loaded CLIP is resized to
            it. Default: the architecture's.
        adapter_positions (Sequence[str]): Where adapters go in each block: ``'pre_attn'`` and/or ``'pre_mlp'``
            (ST-Adapter's K400 preset: pre-MLP only; its SSv2 preset: both); empty for plain CLIP.
        adapter_channels (int): Bottleneck ``Ca`` (384 in ST-Adapter's presets).
        adapter_kernel_size (tuple[int]): Depthwise convolution kernel ``(kt, kh, kw)``; (3, 1, 1) as the paper.
        adapter_layers (Sequence[int], optional): Blocks that get adapters (default: all).
        frozen (bool): Freeze every CLIP parameter (adapters and what subclasses add stay trainable).
        frozen_dtype (str, optional): ``'fp16'`` / ``'bf16'`` hold the frozen CLIP in that precision (as the
            official ST-Adapter, fp16); adapters compute in fp32. Requires ``frozen=True``.
        pretrained (str, optional): Local CLIP weights (a state_dict of a full or vision-only CLIP, or one of
            our checkpoints); loaded in :meth:`init_weights`, never at construction.
        trust_torchscript (bool): Allow ``pretrained`` to be a TorchScript archive (OpenAI's ``.pt``), which runs
            code from the file when loaded.
        quick_gelu (bool): QuickGELU in the MLPs, as OpenAI's CLIP was trained (False: nn.GELU, as most
            open_clip LAION models).
        init_cfg (dict | list, optional): mmengine init config, applied before the CLIP weights are loaded.

    Shapes: input ``(N, 3, T, H, W)``; output a tuple ``(video (N, C), frames (N, T, C))``: ``frames`` are the
    per-frame class tokens after CLIP's ``ln_post``, ``video`` is ``ln_post`` of their temporal mean (ST-Adapter's
    pooling). CLIP's ``proj`` is not used, so not built (its weights in a CLIP file are skipped).
    """

    arch_settings = CLIP_VISION_ARCHS  # shared with every CLIP model of the package (layers.clip_vision)

    def __init__(self,
                 arch='ViT-B/16',
                 num_frames: int = 8,
                 input_resolution: Optional[int] = None,
                 adapter_positions: Sequence[str] = ('pre_attn', ),
                 adapter_channels: int = 384,
                 adapter_kernel_size: Sequence[int] = (3, 1, 1),
                 adapter_layers: Optional[Sequence[int]] = None,
                 frozen: bool = True,
                 frozen_dtype: Optional[str] = None,
                 pretrained: Optional[str] = None,
                 trust_torchscript: bool = False,
                 quick_gelu: bool = True,
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        settings = clip_vision_arch(arch)
        unknown = set(adapter_positions) - set(ADAPTER_POSITIONS)
        if unknown:
            raise ValueError(f'adapter_positions: unknown {sorted(unknown)}; choose from {ADAPTER_POSITIONS}')
        if frozen_dtype not in _DTYPES:
            raise ValueError(f'frozen_dtype={frozen_dtype!r}: choose one of {sorted(k for k in _DTYPES if k)}')
        if _DTYPES[frozen_dtype] is not None and not frozen:
            raise ValueError('frozen_dtype needs frozen=True: trainable CLIP weights stay in fp32')
        if num_frames < 1:
            raise ValueError(f'num_frames must be positive, got {num_frames}')
        self.num_frames = num_frames
        self.embed_dims = settings['width']
        self.num_layers = settings['layers']
        self.pretrained = pretrained
        self.trust_torchscript = trust_torchscript
        self.frozen = frozen
        self.frozen_dtype = _DTYPES[frozen_dtype]
        self.visual = build_clip_visual(settings, input_resolution, quick_gelu)
        self.visual.proj = None  # features are taken before CLIP's projection: an unused (never trained) parameter
        layers = range(self.num_layers) if adapter_layers is None else adapter_layers
        bad = [i for i in layers if not 0 <= i < self.num_layers]
        if bad:
            raise ValueError(f'adapter_layers {bad} outside the {self.num_layers} blocks of {arch}')

        def adapters():
            return nn.ModuleDict({str(i): STAdapter(self.embed_dims, adapter_channels, adapter_kernel_size)
                                  for i in layers})

        self.adapters_pre_attn = adapters() if 'pre_attn' in adapter_positions else None
        self.adapters_pre_mlp = adapters() if 'pre_mlp' in adapter_positions else None
        if frozen:
            self.visual.requires_grad_(False)
            if self.frozen_dtype is not None:
                self.visual.to(self.frozen_dtype)

    # ------------------------------------------------------------------------------------------------ weights
    def init_weights(self) -> None:
        """``init_cfg`` first (mmengine), adapters back to the identity, then the CLIP weights of
        ``pretrained`` (positional embedding resized, missing / unexpected keys logged)."""
        super().init_weights()
        for module in self.modules():
            if isinstance(module, STAdapter):
                module.reset_parameters()
        if self.pretrained:
            require_pretrained_file(self.pretrained, type(self).__name__,
                                    "OpenAI's released CLIP files (ViT-B-16.pt, ViT-L-14.pt) or their state_dicts load "
                                    'as they are (docs/focusvideo.md, "Weights").', 'model.backbone.pretrained')
            self.load_pretrained(self.pretrained)

    def load_pretrained(self, filename: str):
        """Load local CLIP vision weights into ``self.visual`` (see ``load_clip_visual_state_dict``)."""
        result = load_clip_visual_state_dict(self.visual, filename, self.trust_torchscript)
        if self.frozen and self.frozen_dtype is not None:
            self.visual.to(self.frozen_dtype)
        return result

    # ------------------------------------------------------------------------------------------------ forward
    @property
    def grid(self) -> Tuple[int, int]:
        return tuple(self.visual.grid_size)

    def _adapt(self, adapters: Optional[nn.ModuleDict], index: int, x: torch.Tensor, frames: int) -> torch.Tensor:
        if adapters is None or str(index) not in adapters:
            return x
        return adapters[str(index)](x.float(), frames, self.grid).to(x.dtype)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, 3, T, H, W)`` -> ``(N T, 1 + H' W', C)``: CLIP's patch embedding, class token, positional
        embedding and ``ln_pre`` on every frame."""
        if x.dim() != 5:
            raise ValueError(f'{type(self).__name__} expects (N, 3, T, H, W) input, got shape {tuple(x.shape)}')
        batch, channels, frames, height, width = x.shape
        if frames != self.num_frames:
            raise ValueError(f'{type(self).__name__} was built for num_frames={self.num_frames} but got T={frames} '
                             f'(input {tuple(x.shape)}); set backbone.num_frames to the sampler\'s clip_len')
        expected = tuple(self.visual.image_size)
        if (height, width) != expected:
            raise ValueError(f'{type(self).__name__} was built for {expected[0]}x{expected[1]} frames but got '
                             f'{height}x{width}; set backbone.input_resolution')
        visual = self.visual
        dtype = visual.conv1.weight.dtype
        x = x.transpose(1, 2).reshape(batch * frames, channels, height, width).to(dtype)
        x = visual.conv1(x).flatten(2).transpose(1, 2)
        cls = visual.class_embedding.to(x.dtype).expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + visual.positional_embedding.to(x.dtype)
        return visual.ln_pre(visual.patch_dropout(x))

    def forward_block(self, index: int, x: torch.Tensor, frames: int) -> torch.Tensor:
        """Block ``index`` on ``x (N T, L, C)`` with its adapters."""
        block = self.visual.transformer.resblocks[index]
        x = self._adapt(self.adapters_pre_attn, index, x, frames)
        x = x + block.ls_1(attention_with_extra_queries(block.attn, block.ln_1(x))[0])
        x = self._adapt(self.adapters_pre_mlp, index, x, frames)
        return x + block.ls_2(block.mlp(block.ln_2(x)))

    def pool(self, x: torch.Tensor, batch: int, frames: int) -> Tuple[torch.Tensor, torch.Tensor]:
        """Last tokens ``(N T, L, C)`` -> ``(video (N, C), frames (N, T, C))`` as the class docstring says."""
        cls = x[:, 0].reshape(batch, frames, -1)
        ln_post = self.visual.ln_post
        return ln_post(cls.mean(dim=1)).float(), ln_post(cls).float()

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        batch, frames = x.shape[0], x.shape[2]
        x = self.embed(x)
        for index in range(self.num_layers):
            x = self.forward_block(index, x, frames)
        return self.pool(x, batch, frames)
