"""Train a recognizer config on the online motion demo with a plain loop and record what it learns.

Measures, every ``--log-every`` steps: training loss, gradient norm of every backbone stage and of the head, the
standard deviation of every stage's output across the batch (relative to its mean magnitude: does the stage's
output still depend on the clip?), and the same for the backbone's output and the head's class scores; at the end, single-view top-1 on a fixed
validation set of the online demo. The model, optimizer and pipelines are the config's (with overrides), the data
the online demo at one rung of the difficulty ladder; the schedule is linear warm-up then cosine, in steps.

    python tools/analysis/learning_probe.py CONFIG --steps 500 --difficulty static \\
        --cfg-options model.backbone.drop_path_rate=0 --out probe.json

Used to find why the tiny transformers of the demo collapsed to the class prior (docs/demo_learning.md).
"""
import argparse
import json
import math
import os.path as osp
import sys
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too
import mmaction_ext  # noqa: E402,F401  registers the modules
from mmaction_ext.models.layers import TokenBatchNorm  # noqa: E402


def online_pipeline(pipeline):
    """A pipeline made to read the online dataset: video openers dropped, the decoder replaced by ``ArrayDecode``."""
    from mmaction_ext.apis.video_source import DECODE_STEPS, OPEN_STEPS
    return [dict(type='ArrayDecode') if step['type'] in DECODE_STEPS else step for step in pipeline
            if step['type'] not in OPEN_STEPS]


def relative_spread(x: torch.Tensor) -> float:
    """Std across the batch over mean absolute value: 0 when the output is the same for every clip."""
    x = x.detach().float().flatten(1)
    return float(x.std(0).mean() / (x.abs().mean() + 1e-12))


class RectifiedPatchStem(torch.nn.Module):
    """A patch embedding convolution followed by BatchNorm over the batch and ReLU; ``weight`` is the
    convolution's (CLIP-style encoders read ``conv1.weight.dtype``)."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv
        norm = torch.nn.BatchNorm3d if isinstance(conv, torch.nn.Conv3d) else torch.nn.BatchNorm2d
        self.norm, self.act = norm(conv.out_channels), torch.nn.ReLU()

    @property
    def weight(self):
        return self.conv.weight

    def forward(self, x):
        return self.act(self.norm(self.conv(x)))


def replace_stem(backbone, kind: str) -> None:
    """Swap the first patch embedding's projection of a UniFormer-style backbone (``patch_embed1.proj``):
    ``'relu'`` puts a ReLU after it, ``'conv'`` makes it two 3x3x3 convolutions with BatchNorm and ReLU (stride
    (1, 2, 2) each: the same output grid, as in convolutional stems of hybrid vision transformers). On a CLIP-style
    backbone (``conv1`` + ``ln_pre``, itself or its ``visual``: UniFormerV2, the CLIP ViT) only ``'relu_bn'``:
    the patch convolution followed by BatchNorm and ReLU (:class:`RectifiedPatchStem`), ``ln_pre`` removed."""
    import torch.nn as nn
    if kind == 'patch':
        return
    if kind == 'patchify':  # a ResNet3d's stem made a ViT-style patch embedding (4x4, stride 4, 3 frames)
        out = backbone.conv1.conv.out_channels
        backbone.conv1 = nn.Sequential(nn.Conv3d(3, out, (3, 4, 4), (1, 4, 4), (1, 0, 0)), nn.BatchNorm3d(out),
                                       nn.ReLU())
        backbone.maxpool = nn.Identity()
        return
    clip_style = backbone if hasattr(backbone, 'ln_pre') else getattr(backbone, 'visual', None)
    if not hasattr(backbone, 'patch_embed1') and hasattr(clip_style, 'ln_pre') and hasattr(clip_style, 'conv1'):
        if kind != 'relu_bn':
            raise ValueError(f'--stem {kind}: a CLIP-style backbone (conv1 + ln_pre) takes only relu_bn')
        # UniFormerV2 / CLIP ViT: the patch convolution rectified after BatchNorm, and no per-token LayerNorm
        # (ln_pre) after it, as the UniFormer's relu_bn stem (docs/demo_learning.md, items 4-5).
        clip_style.conv1 = RectifiedPatchStem(clip_style.conv1)
        clip_style.ln_pre = nn.Identity()
        return
    proj = backbone.patch_embed1.proj
    if kind == 'relu':
        backbone.patch_embed1.proj = nn.Sequential(proj, nn.ReLU())
    elif kind == 'relu_bn':  # rectified, normalised per channel over the batch (as R3D) instead of per token
        backbone.patch_embed1.proj = nn.Sequential(proj, nn.BatchNorm3d(proj.out_channels), nn.ReLU())
        backbone.patch_embed1.norm = nn.Identity()
    elif kind == 'conv':
        mid, out = proj.out_channels // 2, proj.out_channels
        t_stride = proj.stride[0]
        backbone.patch_embed1.proj = nn.Sequential(
            nn.Conv3d(proj.in_channels, mid, 3, stride=(t_stride, 2, 2), padding=1, bias=False), nn.BatchNorm3d(mid),
            nn.ReLU(), nn.Conv3d(mid, out, 3, stride=(1, 2, 2), padding=1))
    else:
        raise ValueError(f'unknown stem {kind!r}')


def _first_tensor(out):
    """The first tensor of a backbone's or head's output (several backbones return ``(pooled, tokens)``)."""
    while isinstance(out, (tuple, list)):
        out = out[0]
    return out


def output_spreads(model, inputs: torch.Tensor) -> dict:
    """How much the recognizer's outputs still depend on the clip: :func:`relative_spread` across the batch of the
    backbone's output (``spread/features``, what ``mode='tensor'`` returns) and of the head's raw class scores
    (``spread/logits``, ``stage='head'``). Records written before this split called the first ``spread/logits``."""
    with torch.no_grad():
        features = model(inputs, mode='tensor')
        logits = model(inputs, mode='tensor', stage='head')
    return {'spread/features': relative_spread(_first_tensor(features)),
            'spread/logits': relative_spread(_first_tensor(logits))}


def pooled_features(model, dataset, count: int) -> tuple:
    """Backbone outputs of the first ``count`` samples of ``dataset``, averaged over every axis but channels."""
    feats, labels = [], []
    model.eval()
    with torch.no_grad():
        for start in range(0, count, 16):
            batch = pseudo_collate([dataset[i] for i in range(start, min(start + 16, count))])
            data = model.data_preprocessor(batch, training=False)
            inputs = data['inputs'].reshape((-1, ) + data['inputs'].shape[2:])
            out = model.backbone(inputs)
            out = out[-1] if isinstance(out, (tuple, list)) else out
            feats.append(out.flatten(2).mean(-1) if out.dim() > 2 else out)
            labels += [int(s.gt_label) for s in batch['data_samples']]
    model.train()
    return torch.cat(feats).double(), torch.tensor(labels)


def reversal_sensitivity(model, inputs: torch.Tensor) -> float:
    """How much the pooled backbone features see the direction of time: ``mean |f(x) - f(reverse(x))|`` over
    ``mean |f(x) - f(x')|`` (``x'`` another clip of the batch). Reversing a clip keeps every frame (appearance,
    positions) and flips the motion (right <-> left, clockwise <-> counter-clockwise, approach <-> recede): 0 for
    features blind to the direction of motion, about 1 when it matters as much as the clip's content. ``inputs``:
    ``(N, C, T, H, W)``, preprocessed. A backbone returning a tuple is read by its first item, the pooled ``(N, C)``
    features of UniFormerV2Tokens and CLIPViT."""
    model.eval()
    with torch.no_grad():
        def pooled(x):  # (N, C): channel-first maps averaged; tuple backbones give (pooled, tokens)
            out = _first_tensor(model.backbone(x))
            return out.flatten(2).mean(-1) if out.dim() > 2 else out
        forward, backward = pooled(inputs), pooled(inputs.flip(2))
    model.train()
    other = forward.roll(1, 0)
    return float((forward - backward).abs().mean() / ((forward - other).abs().mean() + 1e-12))


def stage_reversal_sensitivity(model, inputs: torch.Tensor) -> dict:
    """:func:`reversal_sensitivity` of every backbone stage's output (its children that hold parameters, and their
    children): where in the network the direction of time is kept or lost."""
    outputs, handles = {}, []

    def keep(name):
        def hook(_, __, out):
            out = out[-1] if isinstance(out, (tuple, list)) else out
            if torch.is_tensor(out) and out.dim() in (3, 5):  # tokens (N, L, C) or maps (N, C, T, H, W)
                outputs.setdefault(name, []).append(out.flatten(2).mean(-1) if out.dim() == 5 else out.mean(1))
        return hook

    for name, module in model.backbone.named_modules():
        if name and name.count('.') <= 1 and not isinstance(module, torch.nn.ModuleList) and \
                any(True for _ in module.parameters()):
            handles.append(module.register_forward_hook(keep(name)))
    model.eval()
    with torch.no_grad():
        model.backbone(inputs.clone())
        model.backbone(inputs.flip(2).contiguous())
    model.train()
    for handle in handles:
        handle.remove()
    result = {}
    for name, (forward, backward) in ((n, o) for n, o in outputs.items() if len(o) == 2):
        result[name] = float((forward - backward).abs().mean() /
                             ((forward - forward.roll(1, 0)).abs().mean() + 1e-12))
    return result


def global_attentions(backbone, option: str = None) -> list:
    """(name, module) of every global self-attention of ``backbone`` (MMAction2 UniFormer's ``Attention``: ``qkv``,
    ``num_heads``, ``scale``). With ``option``, a backbone without one is an error naming that probe option."""
    from mmaction.models.backbones.uniformer import Attention
    found = [(name, module) for name, module in backbone.named_modules() if isinstance(module, Attention)]
    if option and not found:
        raise ValueError(f'{option}: the backbone has no global attention (UniFormer Attention) module')
    return found


def attention_entropy(model, inputs: torch.Tensor) -> dict:
    """Per global self-attention module (MMAction2 UniFormer's ``Attention``: ``qkv``, ``num_heads``, ``scale``):
    the entropy of its attention weights over ``inputs``, averaged over queries, heads and clips, divided by
    log(tokens). 1 is uniform attention (every query takes the mean of all tokens), 0 one token per query."""
    tokens_in, handles = {}, []
    for name, module in global_attentions(model.backbone):
        handles.append(module.register_forward_hook(
            lambda mod, args, out, name=name: tokens_in.__setitem__(name, (mod, args[0]))))
    if not handles:  # no global attention (ResNet3d, Video-FocalNet, ...): no forward pass needed
        return {}
    training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model.backbone(inputs)
    finally:
        model.train(training)
        for handle in handles:
            handle.remove()
    entropies = {}
    for name, (attn, tokens) in tokens_in.items():
        batch, length, channels = tokens.shape
        qkv = attn.qkv(tokens).reshape(batch, length, 3, attn.num_heads, channels // attn.num_heads)
        q, k = qkv[:, :, 0].transpose(1, 2), qkv[:, :, 1].transpose(1, 2)
        weights = ((q @ k.transpose(-2, -1)) * attn.scale).softmax(-1)
        entropy = -(weights * weights.clamp_min(1e-12).log()).sum(-1).mean()
        entropies[name] = float(entropy / math.log(length))
    return entropies


def reinit_qkv(backbone, std: float) -> list:
    """Every global attention's ``qkv`` weight (MMAction2 UniFormer's ``Attention``) drawn again from N(0, std^2):
    with LayerNorm'd tokens of C channels the attention logits then have a standard deviation of about
    std^2 * C (MMAction2's init, std 0.02, gives 0.05-0.1 here: uniform attention). Returns the names."""
    names = []
    for name, module in global_attentions(backbone, '--qkv-init-std'):
        torch.nn.init.normal_(module.qkv.weight, std=std)
        names.append(f'{name}.qkv')
    return names


def reinit_adapters(backbone, std: float) -> list:
    """Every ST-Adapter's depthwise temporal convolution (zero at initialisation, as the official ST-Adapter, so that
    a CLIP-style ViT starts as a per-frame image model) drawn from N(0, std^2): the adapters mix frames from the
    first step. Returns the adapters' names (an error when there are none)."""
    from mmaction_ext.models.layers import STAdapter
    names = []
    for name, module in backbone.named_modules():
        if isinstance(module, STAdapter):
            torch.nn.init.normal_(module.conv.weight, std=std)
            names.append(name)
    if not names:
        raise ValueError('--adapter-init-std: the backbone has no ST-Adapter')
    return names


def fix_query_key(backbone) -> list:
    """Keep the query and key projections of every global attention (MMAction2 UniFormer's ``Attention``: the
    first two thirds of the rows of its fused ``qkv``) at their current values: their gradient is zeroed by a
    hook, so the optimizer leaves them (AdamW's decoupled weight decay aside) while the values, the output
    projection and everything else train. With MMAction2's init the attention then stays as uniform as it
    starts (each block adds the clip's mean value to every token). Returns the names of the ``qkv`` layers."""
    names = []
    for name, module in global_attentions(backbone, '--fixed-qk'):
        rows = 2 * module.qkv.out_features // 3

        def zero_query_key(grad, rows=rows):
            grad = grad.clone()
            grad[:rows] = 0
            return grad

        for param in (module.qkv.weight, module.qkv.bias):
            if param is not None:
                param.register_hook(zero_query_key)
        names.append(f'{name}.qkv')
    return names


def centre_values(backbone) -> list:
    """Subtract, in every global attention (MMAction2 UniFormer's ``Attention``), each clip's mean over its tokens
    from the values (the last third of the channels of the fused ``qkv`` output), by a forward hook on ``qkv``.
    Attention weights sum to 1, so every query's output loses the clip's mean value: a uniform attention then adds
    nothing, a selective one the difference between what it selects and the mean. Returns the ``qkv`` names."""
    names = []
    for name, module in global_attentions(backbone, '--centred-values'):
        channels = module.qkv.out_features // 3

        def centred(_, __, out, channels=channels):
            values = out[..., 2 * channels:]
            return torch.cat([out[..., :2 * channels], values - values.mean(1, keepdim=True)], -1)

        module.qkv.register_forward_hook(centred)
        names.append(f'{name}.qkv')
    return names


def linear_probe(model, train_set, val_set, num_train: int, num_classes: int) -> float:
    """Validation accuracy of a ridge-regression classifier (one-hot targets, standardised features, lambda chosen
    on a held-out fifth of the training features) on the backbone's pooled features: how much of the label the
    features carry as they are."""
    x, y = pooled_features(model, train_set, num_train)
    xv, yv = pooled_features(model, val_set, len(val_set))
    mean, std = x.mean(0), x.std(0) + 1e-6
    x, xv = (x - mean) / std, (xv - mean) / std
    targets = torch.nn.functional.one_hot(y, num_classes).double()
    fit = int(len(x) * 0.8)

    def solve(a, t, lam):
        return torch.linalg.solve(a.T @ a + lam * torch.eye(a.shape[1], dtype=a.dtype), a.T @ t)

    lams = [0.1, 1.0, 10.0, 100.0, 1000.0]
    scores = [float(((x[fit:] @ solve(x[:fit], targets[:fit], lam)).argmax(1) == y[fit:]).float().mean())
              for lam in lams]
    weights = solve(x, targets, lams[int(torch.tensor(scores).argmax())])
    return float(((xv @ weights).argmax(1) == yv).float().mean())


def replace_patch_norms(backbone) -> None:
    """Every ``patch_embed*.norm`` LayerNorm of a UniFormer-style backbone made a :class:`TokenBatchNorm`."""
    for name, module in list(backbone.named_children()):
        if name.startswith('patch_embed') and isinstance(getattr(module, 'norm', None), torch.nn.LayerNorm):
            module.norm = TokenBatchNorm(module.norm.normalized_shape[0])


def replace_block_norms(backbone) -> list:
    """The pre-norm LayerNorms of every attention block (``blocks*.*.norm1`` / ``norm2`` over ``(N, L, C)``
    tokens, as in MMAction2's ``SABlock`` and the EMIM block) made :class:`TokenBatchNorm`: the attention and the
    MLP then see each channel normalised over the batch and the tokens, not each token divided by its own norm.
    Returns the names of the replaced norms (an error when there are none)."""
    replaced = []
    for name, module in list(backbone.named_modules()):
        if not name.startswith('blocks'):
            continue
        for child in ('norm1', 'norm2'):
            norm = getattr(module, child, None)
            if isinstance(norm, torch.nn.LayerNorm):
                setattr(module, child, TokenBatchNorm(norm.normalized_shape[0]))
                replaced.append(f'{name}.{child}')
    if not replaced:
        raise ValueError('--block-norm bn: the backbone has no blocks*.norm1 / norm2 LayerNorm')
    return replaced


def overlap_patch_embeddings(backbone) -> None:
    """The patch embeddings between stages (``patch_embed2`` ... of a UniFormer-style backbone: non-overlapping
    1x2x2 convolutions, stride 2) made 3x3x3 convolutions with stride (1, 2, 2) and padding 1, as ResNet3d's
    stage transitions: overlapping, mixing neighbouring frames, and keeping every row and column of an odd-sized
    map (a 5x5 map becomes 3x3 where the 1x2x2 patches drop its last row and column)."""
    for name, module in backbone.named_children():
        if name.startswith('patch_embed') and name != 'patch_embed1':
            proj = module.proj
            module.proj = torch.nn.Conv3d(proj.in_channels, proj.out_channels, 3, stride=(1, 2, 2), padding=1)


def replace_attention_blocks(backbone, stages) -> None:
    """Every block of the given stages (``blocks3``, ``blocks4`` of a UniFormer-style backbone: global or EMIM
    attention) made MMAction2's convolutional UniFormer block (``CBlock``: depthwise 3x3x3 position convolution,
    BatchNorm, 1x1 - depthwise 5x5x5 - 1x1, BatchNorm, MLP) of the same width, MLP ratio and drop-path: the
    network then has no attention at all."""
    from mmaction.models.backbones.uniformer import CBlock
    for stage in stages:
        blocks = getattr(backbone, f'blocks{stage}')
        for index, block in enumerate(blocks):
            fc1 = block.mlp.fc1
            drop_path = getattr(block.drop_path, 'drop_prob', 0.)
            blocks[index] = CBlock(fc1.in_features, mlp_ratio=fc1.out_features / fc1.in_features,
                                   drop_path=drop_path)


def make_blocks_resnet_like(backbone, dense: bool, rectify: bool) -> None:
    """Move every convolutional UniFormer block (``CBlock``) one step toward a ResNet3d block: ``dense`` makes its
    depthwise 5x5x5 convolution a dense 3x3x3 one (every channel mixed in space-time, as ResNet3d's convolutions);
    ``rectify`` puts a ReLU on the residual stream after the block (ResNet's post-activation: the stream itself is
    rectified, where a pre-norm block's stream stays linear)."""
    import torch.nn as nn
    from mmaction.models.backbones.uniformer import CBlock
    for name, blocks in backbone.named_children():
        if not name.startswith('blocks'):
            continue
        for index, block in enumerate(blocks):
            if not isinstance(block, CBlock):
                continue
            if dense:
                dim = block.attn.in_channels
                block.attn = nn.Conv3d(dim, dim, 3, padding=1)
            if rectify:
                blocks[index] = nn.Sequential(block, nn.ReLU())


class LayerScale(torch.nn.Module):
    """``module``'s output (the first item of a tuple) times a learnable per-channel scale starting at ``init``;
    ``channel_dim`` -1 for tokens ``(N, L, C)``, 1 for maps ``(N, C, T, H, W)``."""

    def __init__(self, module, channels: int, init: float, channel_dim: int):
        super().__init__()
        self.module, self.channel_dim = module, channel_dim
        self.gamma = torch.nn.Parameter(torch.full((channels, ), float(init)))

    def forward(self, *args, **kwargs):
        out = self.module(*args, **kwargs)
        rest = ()
        if isinstance(out, tuple):
            out, rest = out[0], out[1:]
        shape = [1] * out.dim()
        shape[self.channel_dim] = -1
        out = out * self.gamma.view(shape)
        return (out, *rest) if rest else out


def add_layer_scale(backbone, init: float) -> list:
    """LayerScale on both residual branches of every UniFormer block: ``attn`` (global or EMIM attention) and
    ``mlp`` of an ``SABlock``, ``conv2`` (after the local convolution) and ``mlp`` of a ``CBlock``. Returns the
    names of the scaled branches (an error when there are none)."""
    from mmaction.models.backbones.uniformer import CBlock, SABlock
    scaled = []
    for name, blocks in backbone.named_children():
        if not name.startswith('blocks'):
            continue
        for index, block in enumerate(blocks):
            block = block[0] if isinstance(block, torch.nn.Sequential) else block
            if isinstance(block, SABlock):  # branches on (N, L, C) tokens
                dim = block.norm1.normalized_shape[0]
                block.attn = LayerScale(block.attn, dim, init, -1)
                block.mlp = LayerScale(block.mlp, dim, init, -1)
                scaled += [f'{name}.{index}.attn', f'{name}.{index}.mlp']
            elif isinstance(block, CBlock):
                dim = block.conv2.out_channels
                block.conv2 = LayerScale(block.conv2, dim, init, 1)
                block.mlp = LayerScale(block.mlp, dim, init, 1)
                scaled += [f'{name}.{index}.conv2', f'{name}.{index}.mlp']
    if not scaled:
        raise ValueError('--layer-scale: the backbone has no UniFormer block (SABlock / CBlock)')
    return scaled


def set_max_pooling(head) -> None:
    """The head's average pooling over space-time (``avg_pool`` of MMAction2's ``I3DHead`` and its peers) made a max
    pooling: the pooled feature is then set by the tokens where each channel is largest, however few."""
    if not isinstance(getattr(head, 'avg_pool', None), torch.nn.AdaptiveAvgPool3d):
        raise ValueError(f'--pool max: the head ({type(head).__name__}) has no avg_pool AdaptiveAvgPool3d')
    head.avg_pool = torch.nn.AdaptiveMaxPool3d(head.avg_pool.output_size)


def rectify_attention_blocks(backbone) -> list:
    """A ReLU on the residual stream after every attention block (MMAction2's ``SABlock`` and its subclasses, the
    EMIM block among them), as ``make_blocks_resnet_like(rectify=True)`` does after the convolutional blocks.
    Returns the names of the wrapped blocks (an error when there are none)."""
    import torch.nn as nn
    from mmaction.models.backbones.uniformer import SABlock
    wrapped = []
    for name, blocks in backbone.named_children():
        if not name.startswith('blocks'):
            continue
        for index, block in enumerate(blocks):
            if isinstance(block, SABlock):
                blocks[index] = nn.Sequential(block, nn.ReLU())
                wrapped.append(f'{name}.{index}')
    if not wrapped:
        raise ValueError('--rectify-attention: the backbone has no attention block (UniFormer SABlock)')
    return wrapped


def replace_with_resnet_blocks(backbone) -> None:
    """Every block of a UniFormer-style backbone (``blocks1`` ... ``blocks4``) made MMAction2's ResNet3d basic
    block of the same width (3x3x3 convolution, BatchNorm, ReLU, 3x3x3 convolution, BatchNorm, identity shortcut,
    ReLU), initialised as ResNet3d initialises it (Kaiming convolutions, the block's last BatchNorm at 0, so that
    every block starts as the identity): the network keeps its stem, patch embeddings, widths, depths and final
    norm, and its blocks are the ResNet3d's."""
    from mmaction.models.backbones.resnet3d import BasicBlock3d
    from mmengine.model import constant_init, kaiming_init
    for name, blocks in backbone.named_children():
        if not name.startswith('blocks'):
            continue
        for index, block in enumerate(blocks):
            dim = block.mlp.fc1.in_channels if hasattr(block.mlp.fc1, 'in_channels') else block.mlp.fc1.in_features
            new = BasicBlock3d(dim, dim)
            for module in new.modules():
                if isinstance(module, torch.nn.Conv3d):
                    kaiming_init(module)
                elif isinstance(module, torch.nn.BatchNorm3d):
                    constant_init(module, 1)
            constant_init(new.conv2.bn, 0)
            blocks[index] = new


def zero_init_residual_branches(backbone) -> list:
    """The last layer of every residual branch of a UniFormer-style block set to 0 (the local branch's ``conv2`` or
    the attention's ``proj``, and the MLP's ``fc2``), as ResNet3d sets each block's last BatchNorm to 0: every
    block then starts as the identity (apart from its position convolution) and the network as its stem and patch
    embeddings. Returns the names of the zeroed layers."""
    zeroed = []
    for name, module in backbone.named_modules():
        if name.startswith('blocks') and name.rsplit('.', 1)[-1] in ('conv2', 'proj', 'fc2') and \
                hasattr(module, 'weight'):
            torch.nn.init.zeros_(module.weight)
            if getattr(module, 'bias', None) is not None:
                torch.nn.init.zeros_(module.bias)
            zeroed.append(name)
    if not zeroed:
        raise ValueError('--zero-init-residual: the backbone has no blocks*.conv2 / proj / fc2 layers')
    return zeroed


def freeze(backbone, prefixes) -> list:
    """Stop training the backbone parameters whose names start with one of ``prefixes``; returns their names
    (an error when ``prefixes`` names none)."""
    frozen = [name for name, _ in backbone.named_parameters() if name.startswith(tuple(prefixes))]
    if prefixes and not frozen:
        raise ValueError(f'--freeze {list(prefixes)}: no backbone parameter starts with these names')
    for name, param in backbone.named_parameters():
        param.requires_grad_(name not in frozen)
    return frozen


def lr_multipliers(optim_cfg: dict, pairs) -> dict:
    """``optim_cfg`` (an ``optim_wrapper`` dict) with ``paramwise_cfg.custom_keys`` giving the parameters whose
    names contain each ``PREFIX`` of ``pairs`` (``'PREFIX=MULT'`` strings) ``MULT`` times the learning rate."""
    keys = dict(optim_cfg.get('paramwise_cfg', {}).get('custom_keys', {}))
    for pair in pairs:
        prefix, _, mult = pair.partition('=')
        try:
            if not prefix:
                raise ValueError
            keys[prefix] = dict(keys.get(prefix, {}), lr_mult=float(mult))  # no '=': float('') fails
        except ValueError:
            raise ValueError(f'--lr-mult {pair!r}: expected PREFIX=MULT, e.g. backbone.blocks3=0.1') from None
    return dict(optim_cfg, paramwise_cfg=dict(optim_cfg.get('paramwise_cfg', {}), custom_keys=keys))


class BlockStats:
    """Per block of a UniFormer-style backbone (every module of ``blocks1`` ... and every ``patch_embed*``), on the
    passes made while ``active`` is True (the probe sets it for the training batches it logs only):
    ``update/<name>``, how much the block changes the stream, ``||out - in|| / ||in||`` (for a
    patch embedding, whose input and output differ in shape, not recorded); ``gain/<name>``, how much of the loss
    gradient passes back through it, ``||dL/d in|| / ||dL/d out||`` (1 for the identity; near 0 where the block
    stops the gradient that reaches the stem)."""

    def __init__(self, backbone):
        self.values, self.active = {}, True
        self.modules = [(f'{name}.{i}', block) for name, blocks in backbone.named_children()
                        if name.startswith('blocks') for i, block in enumerate(blocks)]
        self.modules += [(name, m) for name, m in backbone.named_children() if name.startswith('patch_embed')]
        if not self.modules:
            raise ValueError('--block-stats: the backbone has no blocks* / patch_embed* modules')
        for name, module in self.modules:
            module.register_forward_hook(self._forward(name))
            module.register_full_backward_hook(self._backward(name))

    def _forward(self, name):
        def hook(_, args, out):
            if not self.active:
                return
            x = args[0]
            out = out[0] if isinstance(out, tuple) else out
            if torch.is_tensor(x) and torch.is_tensor(out) and x.shape == out.shape:
                self.values[f'update/{name}'] = float((out - x).detach().norm() / x.detach().norm().clamp_min(1e-12))
        return hook

    def _backward(self, name):
        def hook(_, grad_input, grad_output):
            if self.active and grad_input and grad_input[0] is not None and grad_output and grad_output[0] is not None:
                self.values[f'gain/{name}'] = float(grad_input[0].norm() / grad_output[0].norm().clamp_min(1e-30))
        return hook


def stage_modules(backbone):
    """(name, module) of the backbone's stages: its children that hold parameters."""
    return [(name, m) for name, m in backbone.named_children() if any(True for _ in m.parameters())]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--steps', type=int, default=500)
    parser.add_argument('--warmup', type=int, default=50, help='linear warm-up steps (from 0.1 x lr)')
    parser.add_argument('--lr', type=float, default=None, help="override the config's lr")
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--difficulty', default='full')
    parser.add_argument('--val-per-class', type=int, default=8)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--log-every', type=int, default=25)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--stem', default='patch', choices=('patch', 'relu', 'relu_bn', 'conv', 'patchify'),
                        help='replace the patch stem of a UniFormer-style backbone, or (relu_bn only) of a '
                             'CLIP-style one (conv1 + ln_pre: UniFormerV2, CLIP ViT); see replace_stem')
    parser.add_argument('--patch-norm', default='ln', choices=('ln', 'bn'),
                        help="'bn': the patch embeddings' LayerNorms made BatchNorms (see replace_patch_norms)")
    parser.add_argument('--block-norm', default='ln', choices=('ln', 'bn'),
                        help="'bn': the attention blocks' pre-norm LayerNorms made BatchNorms (see replace_block_norms)")
    parser.add_argument('--conv-stages', type=int, nargs='+', default=(),
                        help='stages (3, 4) whose attention blocks become convolutional UniFormer blocks '
                             '(see replace_attention_blocks)')
    parser.add_argument('--dense-local', action='store_true',
                        help="convolutional blocks' depthwise 5x5x5 convolution made dense 3x3x3 "
                             '(see make_blocks_resnet_like)')
    parser.add_argument('--rectify-stream', action='store_true',
                        help='a ReLU on the residual stream after every convolutional block (see '
                             'make_blocks_resnet_like)')
    parser.add_argument('--rectify-attention', action='store_true',
                        help='a ReLU on the stream after every attention block (see rectify_attention_blocks)')
    parser.add_argument('--resnet-blocks', action='store_true',
                        help="every block made ResNet3d's basic block of the same width (see "
                             'replace_with_resnet_blocks)')
    parser.add_argument('--overlap-patches', action='store_true',
                        help='patch embeddings between stages made overlapping 3x3x3 convolutions (see '
                             'overlap_patch_embeddings)')
    parser.add_argument('--qkv-init-std', type=float, default=None,
                        help="every global attention's qkv weight re-drawn with this std (see reinit_qkv)")
    parser.add_argument('--adapter-init-std', type=float, default=None, metavar='STD',
                        help='draw every ST-Adapter temporal convolution from N(0, STD^2) instead of zeros')
    parser.add_argument('--fixed-qk', action='store_true',
                        help="keep every global attention's query and key projections at init (see fix_query_key)")
    parser.add_argument('--centred-values', action='store_true',
                        help="every global attention's values minus their mean over the clip (see centre_values)")
    parser.add_argument('--lr-mult', nargs='+', default=(), metavar='PREFIX=MULT',
                        help='parameters whose names contain PREFIX train at MULT x the learning rate '
                             '(e.g. backbone.blocks3=0.1; see lr_multipliers)')
    parser.add_argument('--layer-scale', type=float, default=None, metavar='INIT',
                        help='every block branch (attention / local convolution and MLP) multiplied by a learnable '
                             'per-channel scale starting at INIT (LayerScale, CaiT / ConvNeXt)')
    parser.add_argument('--block-stats', action='store_true',
                        help="log each block's relative update of the stream and the gradient's gain through it "
                             '(see BlockStats)')
    parser.add_argument('--pool', default='avg', choices=('avg', 'max'),
                        help="the head's pooling over space-time: 'max' lets the few tokens of a small actor set the "
                             'pooled feature whatever their share of the clip')
    parser.add_argument('--no-final-norm', action='store_true',
                        help="the backbone's last norm (UniFormer's BatchNorm after stage 4) made the identity")
    parser.add_argument('--zero-init-residual', action='store_true',
                        help="every block's residual branches start at 0 (see zero_init_residual_branches)")
    parser.add_argument('--freeze', nargs='+', default=(), metavar='PREFIX',
                        help='backbone parameters whose names start with one of these stay at their initial values')
    parser.add_argument('--channels-last', action='store_true',
                        help='channels-last 3D memory format (faster depthwise 3D convolutions on CPU)')
    parser.add_argument('--linear-probe', type=int, default=0, metavar='N',
                        help='before and after training: ridge-regression accuracy on the pooled features of N '
                             'training clips, scored on the validation clips')
    parser.add_argument('--out', default=None, help='JSON file for the record')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default={})
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    cfg.merge_from_dict(args.cfg_options)
    init_default_scope('mmaction')
    from mmaction.registry import DATASETS, MODELS
    torch.manual_seed(args.seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    replace_stem(model.backbone, args.stem)
    if args.patch_norm == 'bn':
        replace_patch_norms(model.backbone)
    replace_attention_blocks(model.backbone, args.conv_stages)
    block_norms = replace_block_norms(model.backbone) if args.block_norm == 'bn' else []
    make_blocks_resnet_like(model.backbone, args.dense_local, args.rectify_stream)
    rectified_attention = rectify_attention_blocks(model.backbone) if args.rectify_attention else []
    if args.resnet_blocks:
        replace_with_resnet_blocks(model.backbone)
    if args.overlap_patches:
        overlap_patch_embeddings(model.backbone)
    if args.qkv_init_std is not None:
        reinit_qkv(model.backbone, args.qkv_init_std)
    fixed_qk = fix_query_key(model.backbone) if args.fixed_qk else []
    adapters = reinit_adapters(model.backbone, args.adapter_init_std) if args.adapter_init_std is not None else []
    centred = centre_values(model.backbone) if args.centred_values else []
    if args.no_final_norm:
        model.backbone.norm = torch.nn.Identity()
    if args.pool == 'max':
        set_max_pooling(model.cls_head)
    layer_scaled = add_layer_scale(model.backbone, args.layer_scale) if args.layer_scale is not None else []
    zeroed = zero_init_residual_branches(model.backbone) if args.zero_init_residual else []
    frozen = freeze(model.backbone, args.freeze)
    if args.channels_last:
        from mmaction_ext.engine.hooks import MemoryFormatHook
        MemoryFormatHook().apply(model)
    model.train()
    if args.lr is not None:
        cfg.optim_wrapper.optimizer.lr = args.lr
    cfg.optim_wrapper.pop('type', None)
    optim_cfg = lr_multipliers(dict(cfg.optim_wrapper), args.lr_mult) if args.lr_mult else dict(cfg.optim_wrapper)
    optim_wrapper = build_optim_wrapper(model, dict(type='OptimWrapper', **optim_cfg))
    base_lrs = [g['lr'] for g in optim_wrapper.optimizer.param_groups]

    train_set = DATASETS.build(dict(
        type='MotionDemoDataset', split='train', clips_per_class=max(1, args.steps * args.batch_size // 12 + 1),
        difficulty=args.difficulty, seed=args.seed, num_classes=cfg.model.cls_head.num_classes,
        pipeline=online_pipeline(cfg.train_dataloader.dataset.pipeline)))
    val_set = DATASETS.build(dict(
        type='MotionDemoDataset', split='val', clips_per_class=args.val_per_class, difficulty=args.difficulty,
        num_classes=cfg.model.cls_head.num_classes, pipeline=online_pipeline(cfg.val_dataloader.dataset.pipeline),
        test_mode=True))
    generator = torch.Generator().manual_seed(args.seed)
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True, generator=generator,
                                         num_workers=args.workers, collate_fn=pseudo_collate, drop_last=True)

    stages = stage_modules(model.backbone)
    outputs = {}
    block_stats = BlockStats(model.backbone) if args.block_stats else None

    def keep(name):
        def hook(_, __, out):
            out = out[-1] if isinstance(out, (tuple, list)) else out
            if torch.is_tensor(out):
                outputs[name] = out
        return hook

    for name, module in stages:
        module.register_forward_hook(keep(name))

    num_classes = cfg.model.cls_head.num_classes
    probe_set = None
    if args.linear_probe:
        probe_set = DATASETS.build(dict(
            type='MotionDemoDataset', split='train', clips_per_class=args.linear_probe // num_classes + 1,
            difficulty=args.difficulty, seed=args.seed + 1000, num_classes=num_classes,
            pipeline=online_pipeline(cfg.val_dataloader.dataset.pipeline), test_mode=True))
        probe_before = linear_probe(model, probe_set, val_set, args.linear_probe, num_classes)
        print(json.dumps(dict(linear_probe_at_init=probe_before)), flush=True)
    fixed = pseudo_collate([val_set[i] for i in range(0, len(val_set), max(1, len(val_set) // 24))][:24])
    fixed = model.data_preprocessor(fixed, training=False)['inputs']
    fixed = fixed.reshape((-1, ) + fixed.shape[2:])
    stages_at_init = stage_reversal_sensitivity(model, fixed)
    attention_at_init = attention_entropy(model, fixed)
    print(json.dumps(dict(stage_reversal_at_init={k: round(v, 3) for k, v in stages_at_init.items()})), flush=True)
    record = dict(config=args.config, steps=args.steps, warmup=args.warmup, lr=base_lrs[0],
                  difficulty=args.difficulty, seed=args.seed, stem=args.stem, patch_norm=args.patch_norm,
                  block_norms=block_norms,
                  conv_stages=list(args.conv_stages), dense_local=args.dense_local,
                  rectify_stream=args.rectify_stream, rectified_attention=rectified_attention,
                  resnet_blocks=args.resnet_blocks, zeroed=zeroed,
                  no_final_norm=args.no_final_norm, pool=args.pool, layer_scaled=layer_scaled,
                  layer_scale=args.layer_scale, overlap_patches=args.overlap_patches,
                  qkv_init_std=args.qkv_init_std, channels_last=args.channels_last,
                  lr_mult=list(args.lr_mult), fixed_qk=fixed_qk, centred_values=centred,
                  adapter_init_std=args.adapter_init_std, reinitialised_adapters=adapters,
                  frozen=frozen,
                  cfg_options={k: str(v) for k, v in args.cfg_options.items()}, log=[])
    start, losses = time.time(), []
    for step, batch in enumerate(loader):
        if step >= args.steps:
            break
        factor = (0.1 + 0.9 * step / args.warmup if step < args.warmup else
                  0.5 * (1 + math.cos(math.pi * (step - args.warmup) / max(1, args.steps - args.warmup))))
        for group, lr in zip(optim_wrapper.optimizer.param_groups, base_lrs):
            group['lr'] = lr * factor
        logged = step % args.log_every == 0 or step == args.steps - 1
        if block_stats is not None:  # hooks measure only the training batches that are logged
            block_stats.active = logged
        data = model.data_preprocessor(batch, training=True)
        loss_dict = model(**data, mode='loss')
        loss = sum(v for k, v in loss_dict.items() if 'loss' in k)
        optim_wrapper.backward(loss)
        if logged:
            entry = dict(step=step, loss=float(loss), time=time.time() - start)
            for name, module in stages + [('head', model.cls_head)]:
                grads = [p.grad.norm() ** 2 for p in module.parameters() if p.grad is not None]
                entry[f'grad/{name}'] = float(torch.stack(grads).sum().sqrt()) if grads else 0.0
            for name, out in outputs.items():
                entry[f'spread/{name}'] = relative_spread(out)
                entry[f'std/{name}'] = float(out.detach().float().std())
            if block_stats is not None:  # the training batch's; the measuring passes below are not recorded
                block_stats.active = False
                entry.update(block_stats.values)
            entry.update(output_spreads(model, data['inputs']))
            clips = data['inputs'].reshape((-1, ) + data['inputs'].shape[2:])
            entry['reversal_sensitivity'] = reversal_sensitivity(model, clips)
            record['log'].append(entry)
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in entry.items()}), flush=True)
        optim_wrapper.step()
        optim_wrapper.zero_grad()
        losses.append(float(loss))

    model.eval()
    correct = total = 0
    predictions = torch.zeros(cfg.model.cls_head.num_classes, dtype=torch.long)
    with torch.no_grad():
        for i in range(0, len(val_set), 16):
            batch = pseudo_collate([val_set[j] for j in range(i, min(i + 16, len(val_set)))])
            data = model.data_preprocessor(batch, training=False)
            for sample in model(**data, mode='predict'):
                pred = int(sample.pred_score.argmax())
                predictions[pred] += 1
                correct += int(pred == int(sample.gt_label))
                total += 1
    if probe_set is not None:
        record.update(linear_probe_at_init=probe_before,
                      linear_probe_trained=linear_probe(model, probe_set, val_set, args.linear_probe, num_classes))
    record.update(stage_reversal_at_init=stages_at_init,
                  stage_reversal_trained=stage_reversal_sensitivity(model, fixed),
                  attention_entropy_at_init=attention_at_init, attention_entropy_trained=attention_entropy(model, fixed))
    record.update(val_top1=correct / total, val_clips=total, prediction_histogram=predictions.tolist(),
                  final_train_loss=sum(losses[-50:]) / len(losses[-50:]) if losses else None, seconds=time.time() - start)
    print(json.dumps({k: record[k] for k in ('val_top1', 'prediction_histogram', 'final_train_loss', 'seconds',
                                             'linear_probe_at_init', 'linear_probe_trained',
                                             'attention_entropy_at_init', 'attention_entropy_trained')
                      if k in record and record[k] != {}}))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(record, f, indent=1)


if __name__ == '__main__':
    main()
