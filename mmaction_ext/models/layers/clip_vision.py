"""CLIP's vision tower, built by open_clip, with the hooks video models add to it.

One place for everything the CLIP-based models of the package (FocusVideo, ART) need from CLIP:

- :data:`CLIP_VISION_ARCHS` and :func:`build_clip_visual`: open_clip's ``VisionTransformer`` with OpenAI's
  parameter names (``conv1``, ``class_embedding``, ``positional_embedding``, ``ln_pre``,
  ``transformer.resblocks.i.{ln_1,attn,ln_2,mlp}``, ``ln_post``, ``proj``), QuickGELU as OpenAI trained it.
- :func:`attention_with_extra_queries`: a block's frozen ``nn.MultiheadAttention`` run on queries
  ``[X; extra]`` with keys and values from ``X`` only, by slicing ``in_proj_weight`` (FocusVideo's
  parameter-free interaction, eqs. 4-11; attention maps for visualisation; ART's region queries).
- :class:`STAdapter`: ST-Adapter (Pan et al., NeurIPS 2022), a depthwise temporal convolution between a
  down- and an up-projection, added residually to the patch tokens.
- :func:`build_clip` / :func:`save_clip_file`: a whole CLIP (vision and text towers) in OpenAI's file formats,
  for generated test weights and text banks.
- :func:`load_clip_visual_state_dict`: the vision weights of a local CLIP file (OpenAI TorchScript only with
  an explicit trust flag, plain state_dicts through the package's safe loader), prefixes stripped, the
  positional embedding resized to the model's grid, mismatches reported by name.
"""
import math
import os.path as osp
import warnings
import zipfile
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from mmaction_ext.fileio import load_official_state_dict
from mmaction_ext.models.utils import compare_state_dict_shapes, load_state_dict_logged, summarise_keys

# OpenAI's released vision towers (heads = width // 64, as OpenAI's build_model infers them), plus a
# CPU-sized one for tests and demos.
CLIP_VISION_ARCHS: Dict[str, dict] = {
    'ViT-B/16': dict(width=768, layers=12, patch_size=16, image_size=224, output_dim=512),
    'ViT-B/32': dict(width=768, layers=12, patch_size=32, image_size=224, output_dim=512),
    'ViT-L/14': dict(width=1024, layers=24, patch_size=14, image_size=224, output_dim=768),
    'ViT-L/14-336': dict(width=1024, layers=24, patch_size=14, image_size=336, output_dim=768),
    'tiny': dict(width=64, layers=2, patch_size=16, image_size=32, output_dim=32),
}


def clip_vision_arch(arch) -> dict:
    """The settings of a named architecture (:data:`CLIP_VISION_ARCHS`) or a dict of them, completed with
    ``heads`` (width // 64 unless given)."""
    if isinstance(arch, str):
        if arch not in CLIP_VISION_ARCHS:
            raise KeyError(f'unknown CLIP vision arch {arch!r}; choose one of {sorted(CLIP_VISION_ARCHS)} or '
                           'pass a dict with width, layers, patch_size, image_size, output_dim')
        arch = CLIP_VISION_ARCHS[arch]
    arch = dict(arch)
    missing = {'width', 'layers', 'patch_size', 'image_size'} - set(arch)
    if missing:
        raise KeyError(f'CLIP vision arch dict lacks {sorted(missing)}: got {arch}')
    arch.setdefault('heads', max(1, arch['width'] // 64))
    arch.setdefault('output_dim', arch['width'])
    return arch


def build_clip_visual(arch, image_size: Optional[int] = None, quick_gelu: bool = True) -> nn.Module:
    """open_clip's ``VisionTransformer`` for ``arch`` (a name or a settings dict), at ``image_size`` (default:
    the architecture's). Construction only: the weights are random until loaded."""
    from open_clip.transformer import QuickGELU, VisionTransformer
    settings = clip_vision_arch(arch)
    size = image_size or settings['image_size']
    if size % settings['patch_size']:
        raise ValueError(f'input_resolution {size} is not a multiple of the patch size {settings["patch_size"]}')
    return VisionTransformer(
        image_size=size, patch_size=settings['patch_size'], width=settings['width'], layers=settings['layers'],
        heads=settings['heads'], mlp_ratio=4.0, output_dim=settings['output_dim'],
        act_layer=QuickGELU if quick_gelu else nn.GELU)


# The text towers of the same releases (OpenAI: heads = width // 64), for whole-CLIP files and text banks.
CLIP_TEXT_ARCHS: Dict[str, dict] = {
    'ViT-B/16': dict(embed_dim=512, width=512, heads=8, layers=12),
    'ViT-B/32': dict(embed_dim=512, width=512, heads=8, layers=12),
    'ViT-L/14': dict(embed_dim=768, width=768, heads=12, layers=12),
    'ViT-L/14-336': dict(embed_dim=768, width=768, heads=12, layers=12),
    'tiny': dict(embed_dim=32, width=64, heads=1, layers=2),
}


def build_clip(arch: str, quick_gelu: bool = True) -> nn.Module:
    """A whole open_clip ``CLIP`` (vision and text towers, 77-token context, OpenAI's 49408-token vocabulary)
    of a named architecture, randomly initialised; its ``state_dict()`` has the keys of OpenAI's files."""
    from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg
    if arch not in CLIP_TEXT_ARCHS:
        raise KeyError(f'unknown CLIP arch {arch!r}; choose one of {sorted(CLIP_TEXT_ARCHS)}')
    vision, text = clip_vision_arch(arch), CLIP_TEXT_ARCHS[arch]
    return CLIP(text['embed_dim'],
                CLIPVisionCfg(layers=vision['layers'], width=vision['width'], patch_size=vision['patch_size'],
                              image_size=vision['image_size'], head_width=vision['width'] // vision['heads']),
                CLIPTextCfg(context_length=77, vocab_size=49408, width=text['width'], heads=text['heads'],
                            layers=text['layers']),
                quick_gelu=quick_gelu)


def save_clip_file(model: nn.Module, filename: str, torchscript: bool = False) -> None:
    """Write ``model`` (:func:`build_clip`) as OpenAI ships CLIP: a TorchScript archive of the traced model
    (``torchscript=True``, as the released ``.pt``) or a plain state_dict."""
    if not torchscript:
        torch.save(model.state_dict(), filename)
        return
    size = model.visual.image_size[0]
    example = (torch.zeros(1, 3, size, size), torch.zeros(1, 77, dtype=torch.long))
    with warnings.catch_warnings():  # the tracer's notes on Python-side shape checks inside nn.MultiheadAttention
        warnings.simplefilter('ignore')
        torch.jit.trace(model.eval(), example, strict=False).save(filename)


def packed_attention(attn: nn.MultiheadAttention, query: torch.Tensor, key_value: Optional[torch.Tensor] = None,
                     need_weights: bool = False) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """``attn(query, key_value, key_value)`` computed from its packed weights, with SDPA.

    Args:
        attn (nn.MultiheadAttention): Its ``in_proj_weight (3C, C)``, ``in_proj_bias (3C, )``, ``out_proj``
            and ``num_heads`` are used (``batch_first`` is ignored: inputs are batch-first here).
        query (Tensor): ``(B, Lq, C)``.
        key_value (Tensor, optional): ``(B, Lk, C)``; default ``query`` (self-attention).
        need_weights (bool): Also return the head-averaged attention probabilities ``(B, Lq, Lk)`` (computed
            explicitly instead of by SDPA).

    Returns:
        tuple: ``out (B, Lq, C)`` and the probabilities or None.
    """
    key_value = query if key_value is None else key_value
    batch, _, channels = query.shape
    heads = attn.num_heads
    head_dim = channels // heads
    weight, bias = attn.in_proj_weight, attn.in_proj_bias
    bias_q, bias_kv = (None, None) if bias is None else (bias[:channels], bias[channels:])
    q = F.linear(query, weight[:channels], bias_q)
    k, v = F.linear(key_value, weight[channels:], bias_kv).chunk(2, dim=-1)
    q, k, v = (t.reshape(batch, -1, heads, head_dim).transpose(1, 2) for t in (q, k, v))
    probs = None
    if need_weights:
        probs = torch.softmax((q * head_dim**-0.5) @ k.transpose(-2, -1), dim=-1)
        out = probs @ v
        probs = probs.mean(dim=1)
    else:
        out = F.scaled_dot_product_attention(q, k, v)
    return attn.out_proj(out.transpose(1, 2).reshape(batch, -1, channels)), probs


def attention_with_extra_queries(attn: nn.MultiheadAttention, x: torch.Tensor, extra: Optional[torch.Tensor] = None,
                                 need_weights: bool = False
                                 ) -> Tuple[torch.Tensor, Optional[torch.Tensor], Optional[torch.Tensor]]:
    """Multi-head attention of queries ``[x; extra]`` over keys and values from ``x`` alone, with the weights of
    ``attn`` (CLIP's block attention, see :func:`packed_attention`).

    Rows of ``x`` attend exactly as in ``attn(x, x, x)``: each softmax runs over the keys of ``x`` only, so the
    extra queries change nothing for ``x``; the extra rows get ``softmax(q_extra k^T / sqrt(d)) v`` through
    the same projections and ``out_proj``, adding no parameter.

    Args:
        attn (nn.MultiheadAttention): The block's attention.
        x (Tensor): ``(B, N, C)`` tokens, already normalised.
        extra (Tensor, optional): ``(B, M, C)`` extra queries, already normalised.
        need_weights (bool): Also return the head-averaged attention probabilities.

    Returns:
        tuple: ``x_out (B, N, C)``, ``extra_out (B, M, C)`` or None, and ``weights (B, N + M, N)`` or None.
    """
    tokens = x.shape[1]
    queries = x if extra is None else torch.cat([x, extra], dim=1)
    out, probs = packed_attention(attn, queries, x, need_weights)
    if extra is None:
        return out, None, probs
    return out[:, :tokens], out[:, tokens:], probs


class STAdapter(nn.Module):
    """ST-Adapter: ``x + up(DWConv3d(down(x)))`` on the patch tokens of each frame, the leading class token
    passed through unchanged.

    As the official ST-Adapter: no activation between the layers, the depthwise convolution's weight and
    bias zero-initialised (the adapter starts as the identity), projection biases zero.

    Args:
        in_channels (int): Token width ``C``.
        adapter_channels (int): Bottleneck width ``Ca``.
        kernel_size (tuple[int]): ``(kt, kh, kw)`` of the depthwise convolution; ``(3, 1, 1)`` mixes time only.
        skip_first (bool): Leave the first token of each frame (CLIP's class token) out of the adapter.

    Shapes: ``x (B * T, L, C)`` -> ``(B * T, L, C)``, frames of a clip consecutive along the first axis; with
    ``kh = kw = 1`` the ``L`` (or ``L - 1``) tokens need no spatial layout, otherwise they must form
    ``grid = (H, W)``.
    """

    def __init__(self, in_channels: int, adapter_channels: int, kernel_size: Sequence[int] = (3, 1, 1),
                 skip_first: bool = True):
        super().__init__()
        self.kernel_size = tuple(kernel_size)
        self.skip_first = skip_first
        self.down = nn.Linear(in_channels, adapter_channels)
        self.conv = nn.Conv3d(adapter_channels, adapter_channels, self.kernel_size,
                              padding=tuple(k // 2 for k in self.kernel_size), groups=adapter_channels)
        self.up = nn.Linear(adapter_channels, in_channels)
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.zeros_(self.conv.weight)
        nn.init.zeros_(self.conv.bias)
        nn.init.zeros_(self.down.bias)
        nn.init.zeros_(self.up.bias)

    def forward(self, x: torch.Tensor, num_frames: int, grid: Optional[Tuple[int, int]] = None,
                skip_first: Optional[bool] = None) -> torch.Tensor:
        """``skip_first`` overrides the constructor's (False for tokens without a class token)."""
        frames_total = x.shape[0]
        if frames_total % num_frames:
            raise ValueError(f'STAdapter: {frames_total} frames in the batch is not a multiple of '
                             f'num_frames={num_frames}')
        start = 1 if (self.skip_first if skip_first is None else skip_first) else 0
        tokens = x[:, start:]
        if grid is None or grid[0] * grid[1] != tokens.shape[1]:
            if self.kernel_size[1:] != (1, 1):
                raise ValueError(f'STAdapter with kernel {self.kernel_size} needs the token grid (H, W)')
            grid = (tokens.shape[1], 1)
        batch = frames_total // num_frames
        h = self.down(tokens)  # (B T, HW, Ca)
        h = h.reshape(batch, num_frames, grid[0], grid[1], -1).permute(0, 4, 1, 2, 3)
        h = self.conv(h).permute(0, 2, 3, 4, 1).reshape(frames_total, tokens.shape[1], -1)
        delta = self.up(h)
        if start:
            return torch.cat([x[:, :start], tokens + delta], dim=1)
        return x + delta


# ----------------------------------------------------------------------------------------------- weights
def _is_torchscript(filename: str) -> bool:
    """TorchScript archives are zip files with a ``constants.pkl`` (``torch.save`` files have none)."""
    if not zipfile.is_zipfile(filename):
        return False
    with zipfile.ZipFile(filename) as archive:
        return any(name.endswith('/constants.pkl') or name == 'constants.pkl' for name in archive.namelist())


def read_clip_state_dict(filename: str, trust_torchscript: bool = False) -> 'OrderedDict[str, torch.Tensor]':
    """Every tensor of a local CLIP file (vision and text towers), float32, ``module.`` prefixes stripped.

    Args:
        filename (str): An OpenAI ``.pt`` (TorchScript), an open_clip / OpenAI state_dict, or one of this
            package's checkpoints (``state_dict`` / ``model`` entries are looked into).
        trust_torchscript (bool): TorchScript runs code from the file when loaded; it is read only when this
            is True (OpenAI's released ``.pt`` files are TorchScript).

    Raises:
        FileNotFoundError, UnsafeCheckpointError, CorruptCheckpointError: as the safe loader.
        ValueError: a TorchScript file without ``trust_torchscript=True``.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'CLIP weights {filename} can not be found')
    if _is_torchscript(filename):
        if not trust_torchscript:
            raise ValueError(
                f'{filename} is a TorchScript archive (as OpenAI\'s released CLIP .pt files): loading it runs code '
                'stored in the file. If you trust it, set trust_torchscript=True (backbone option), or convert it '
                'once to a plain state_dict')
        with warnings.catch_warnings():  # torch's deprecation note on TorchScript: the format OpenAI ships
            warnings.simplefilter('ignore', FutureWarning)
            state_dict = torch.jit.load(filename, map_location='cpu').state_dict()
    else:
        state_dict = load_official_state_dict(filename)
    result = OrderedDict()
    for key, value in state_dict.items():
        if key.startswith('module.'):
            key = key[len('module.'):]
        result[key] = value.float() if value.is_floating_point() else value
    return result


def visual_state_dict(state_dict: Mapping[str, torch.Tensor],
                      prefixes: Sequence[str] = ('backbone.visual.', 'visual.')) -> 'OrderedDict':
    """The vision tower's weights of a full CLIP state_dict (keys under ``visual.``), or of a checkpoint of
    ours (``backbone.visual.``); a vision-only state_dict is returned as it is."""
    for prefix in prefixes:
        if any(key.startswith(prefix) for key in state_dict):
            return OrderedDict((key[len(prefix):], value) for key, value in state_dict.items()
                               if key.startswith(prefix))
    return OrderedDict(state_dict)


def resize_positional_embedding(pos_embed: torch.Tensor, grid: Tuple[int, int], source: str = 'checkpoint'
                                ) -> torch.Tensor:
    """``(1 + g * g, C)`` class + patch positional embedding resized (bicubic) to ``1 + grid[0] * grid[1]``."""
    tokens = pos_embed.shape[0] - 1
    side = int(round(math.sqrt(tokens)))
    if side * side != tokens:
        raise ValueError(f'{source}: positional_embedding has {tokens} patch positions, not a square grid')
    if (side, side) == tuple(grid):
        return pos_embed
    patches = pos_embed[1:].reshape(1, side, side, -1).permute(0, 3, 1, 2)
    patches = F.interpolate(patches, size=tuple(grid), mode='bicubic', align_corners=False)
    return torch.cat([pos_embed[:1], patches.permute(0, 2, 3, 1).reshape(grid[0] * grid[1], -1)], dim=0)


def load_clip_visual_state_dict(visual: nn.Module, filename: str, trust_torchscript: bool = False
                                ) -> Tuple[list, list]:
    """Load the vision weights of a local CLIP file into ``visual`` (:func:`build_clip_visual`'s module).

    The positional embedding is resized to ``visual``'s grid (a CLIP trained at 224 px in a 320 px model);
    any other shape difference (another width, depth or patch size) is an error naming the file and the
    keys. Missing and unexpected keys are logged.

    Returns:
        tuple[list[str], list[str]]: missing and unexpected keys.
    """
    state_dict = visual_state_dict(read_clip_state_dict(filename, trust_torchscript))
    reference = {key: tuple(value.shape) for key, value in visual.state_dict().items()}
    if 'proj' not in reference:  # a tower built without CLIP's output projection (CLIPViT) does not read it
        state_dict.pop('proj', None)
    if 'positional_embedding' in state_dict and 'positional_embedding' in reference:
        grid = tuple(visual.grid_size)
        state_dict['positional_embedding'] = resize_positional_embedding(state_dict['positional_embedding'],
                                                                         grid, filename)
    _, _, mismatched = compare_state_dict_shapes(state_dict, reference)
    if mismatched:
        raise ValueError(f'{filename} is not a CLIP of this architecture: {len(mismatched)} shapes differ: '
                         f'{summarise_keys(mismatched, 4)}')
    return load_state_dict_logged(visual, state_dict, filename)
