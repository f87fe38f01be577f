"""MMAction2's UniFormerV2 that also returns its per-frame tokens, with weights from a local file."""
from typing import Optional, Tuple

import torch
from mmaction.models.backbones import UniFormerV2
from mmaction.registry import MODELS

from mmaction_ext.models.layers.clip_vision import (read_clip_state_dict, resize_positional_embedding,
                                                    visual_state_dict)
from mmaction_ext.models.utils import (compare_state_dict_shapes, load_state_dict_logged, require_pretrained_file,
                                       summarise_keys)


@MODELS.register_module()
class UniFormerV2Tokens(UniFormerV2):
    """UniFormerV2 returning ``(video feature, frame tokens)``.

    The video feature is UniFormerV2's own output (its global UniBlocks' class token balanced with the
    frames' class tokens, then LayerNorm); the tokens are the patch tokens of every frame after the last
    local block (read by a forward hook, so UniFormerV2's computation is untouched).

    Args:
        arch (str, optional): A preset of :attr:`arch_settings` (``'B/16'``, ``'L/14'`` as MMAction2's
            K710 / K400 configs, ``'tiny'`` for CPU demos); keyword arguments override its entries.
        pretrained (str, optional): Local weights, read by ``init_weights``: a CLIP file (OpenAI ``.pt`` with
            ``trust_torchscript``, or a state_dict; ``visual.`` keys) or a UniFormerV2 checkpoint of MMAction2
            (``backbone.`` keys). ``conv1`` is inflated in time (centre frame, as UniFormerV2), the positional
            embedding resized to ``input_resolution``, any other shape difference is an error naming the keys;
            missing and unexpected keys are logged.
        trust_torchscript (bool): Allow OpenAI's TorchScript ``.pt``.
        **kwargs: :class:`~mmaction.models.backbones.UniFormerV2` arguments (``t_size``, ...).

    Shapes: ``(N, 3, T, H, W)`` -> ``(video (N, n_dim), tokens (N, T', H / p * W / p, width))`` with ``T' = T``
    (``T / 2`` with ``temporal_downsample``).
    """

    arch_settings = {
        'B/16': dict(patch_size=16, width=768, layers=12, heads=12, return_list=[8, 9, 10, 11], n_dim=768,
                     n_head=12, no_lmhra=True, double_lmhra=True),
        'L/14': dict(patch_size=14, width=1024, layers=24, heads=16, return_list=[20, 21, 22, 23], n_dim=1024,
                     n_head=16, no_lmhra=True, double_lmhra=True),
        'tiny': dict(input_resolution=64, patch_size=16, width=64, layers=2, heads=1, return_list=[1],
                     n_layers=1, n_dim=64, n_head=1, mlp_dropout=[0.5], no_lmhra=True, double_lmhra=True),
    }

    def __init__(self, arch: Optional[str] = None, pretrained: Optional[str] = None,
                 trust_torchscript: bool = False, **kwargs):
        if arch is not None and arch not in self.arch_settings:
            raise KeyError(f'UniFormerV2Tokens: unknown arch {arch!r}; choose one of {sorted(self.arch_settings)}')
        settings = dict(self.arch_settings[arch]) if arch else {}
        settings.update(kwargs)
        super().__init__(clip_pretrained=False, pretrained=None, **settings)
        self.pretrained_path, self.trust_torchscript = pretrained, trust_torchscript
        self.grid = settings.get('input_resolution', 224) // settings.get('patch_size', 16)
        self._tokens = None
        self.transformer.resblocks[-1].register_forward_hook(self._keep_tokens)

    def _keep_tokens(self, module, inputs, output) -> None:
        self._tokens = output

    def init_weights(self) -> None:
        super().init_weights()  # init_cfg (UniFormerV2's truncated normal by default)
        if self.pretrained_path:
            require_pretrained_file(self.pretrained_path, type(self).__name__,
                                    'UniFormerV2 checkpoints of MMAction2\'s model zoo (or CLIP files) load as they are '
                                    '(docs/art.md, "Weights").', 'model.backbone.pretrained')
            self.load_pretrained(self.pretrained_path)

    def load_pretrained(self, filename: str) -> Tuple[list, list]:
        state_dict = visual_state_dict(read_clip_state_dict(filename, self.trust_torchscript),
                                       prefixes=('backbone.', 'visual.'))
        reference = self.state_dict()
        if 'conv1.weight' in state_dict and state_dict['conv1.weight'].dim() == 4:
            state_dict['conv1.weight'] = self._inflate_weight(state_dict['conv1.weight'],
                                                              reference['conv1.weight'].shape[2])
        if 'positional_embedding' in state_dict:
            state_dict['positional_embedding'] = resize_positional_embedding(
                state_dict['positional_embedding'], (self.grid, self.grid), filename)
        _, _, mismatched = compare_state_dict_shapes(state_dict, {k: tuple(v.shape) for k, v in reference.items()})
        if mismatched:
            raise ValueError(f'{filename} does not fit this UniFormerV2: {len(mismatched)} shapes differ: '
                             f'{summarise_keys(mismatched, 4)}')
        return load_state_dict_logged(self, state_dict, filename)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        video = super().forward(x)
        tokens, self._tokens = self._tokens, None
        length, frames_total, width = tokens.shape
        batch = video.shape[0]
        tokens = tokens[1:].transpose(0, 1).reshape(batch, frames_total // batch, length - 1, width)
        return video, tokens
