"""Key mapping from CSA's released checkpoints (the ``DETR`` module of ``class-query-vad``: ``backbone.0.body``,
``input_proj`` or ``backbone.0.lateral_convs``, ``transformer.{encoder,decoder}``, ``refpoint_embed``,
``class_embed_b``, ``bbox_embed``) to :class:`CSADetector`, written from the research notes
(``docs/csa.md``, "Released checkpoints"). Each rule renames a key prefix; a few tensors change shape
(1x1 ``Conv2d`` -> ``Linear``, the code's ``Affine`` -> ``BatchNorm3d``); weights the released model
never uses (the CDL's ``q_proj``, the decoder's ``cls_norm``) and the copies of shared modules
(``conv_blocks.1/2``, ``transformer.decoder.bbox_embed``) are dropped after checking they are copies.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Tuple

import torch

# (official regex, ours): applied in order, first match wins; ``\1`` etc. keep indices.
_TRANSFORMER_RULES: List[Tuple[str, str]] = [
    (r'transformer\.level_embed$', 'level_embed'),
    # encoder layers: Deformable DETR names
    (r'transformer\.encoder\.layers\.(\d+)\.self_attn\.', r'encoder.layers.\1.self_attn.'),
    (r'transformer\.encoder\.layers\.(\d+)\.norm1\.', r'encoder.layers.\1.norms.0.'),
    (r'transformer\.encoder\.layers\.(\d+)\.norm2\.', r'encoder.layers.\1.norms.1.'),
    (r'transformer\.encoder\.layers\.(\d+)\.linear1\.', r'encoder.layers.\1.ffn.layers.0.0.'),
    (r'transformer\.encoder\.layers\.(\d+)\.linear2\.', r'encoder.layers.\1.ffn.layers.1.'),
    # localizing decoder layers (DAB-DETR names -> mmdet ConditionalAttention)
    (r'transformer\.decoder\.layers\.(\d+)\.sa_(qcontent|qpos|kcontent|kpos|v)_proj\.',
     r'decoder.layers.\1.self_attn.\2_proj.'),
    (r'transformer\.decoder\.layers\.(\d+)\.self_attn\.out_proj\.', r'decoder.layers.\1.self_attn.out_proj.'),
    (r'transformer\.decoder\.layers\.(\d+)\.ca_(qcontent|qpos|kcontent|kpos|v|qpos_sine)_proj\.',
     r'decoder.layers.\1.cross_attn.\2_proj.'),
    (r'transformer\.decoder\.layers\.(\d+)\.cross_attn\.out_proj\.', r'decoder.layers.\1.cross_attn.out_proj.'),
    (r'transformer\.decoder\.layers\.(\d+)\.lvl_w_embed\.', r'decoder.layers.\1.level_weights.'),
    (r'transformer\.decoder\.layers\.(\d+)\.norm_\.', r'decoder.layers.\1.context_norm.'),
    (r'transformer\.decoder\.layers\.(\d+)\.norm([123])\.', None),  # norms.(n-1), below
    (r'transformer\.decoder\.layers\.(\d+)\.linear1\.', r'decoder.layers.\1.ffn.layers.0.0.'),
    (r'transformer\.decoder\.layers\.(\d+)\.linear2\.', r'decoder.layers.\1.ffn.layers.1.'),
    # classifying decoder layers
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_linear1\.', r'decoder.cls_layers.\1.actor_ffn.layers.0.0.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_linear2\.', r'decoder.cls_layers.\1.actor_ffn.layers.1.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_norm\.', r'decoder.cls_layers.\1.actor_norm.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.conv_norm\.', r'decoder.cls_layers.\1.conv_norm.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.conv_blocks\.0\.conv1\.', r'decoder.cls_layers.\1.conv_block.conv.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.conv_blocks\.0\.norm\.', r'decoder.cls_layers.\1.conv_block.norm.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.conv_blocks\.0\.conv2\.', r'decoder.cls_layers.\1.conv_block.fc1.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.conv_blocks\.0\.conv3\.', r'decoder.cls_layers.\1.conv_block.fc2.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.self_attn\.out_proj\.', r'decoder.cls_layers.\1.self_attn.out_proj.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.norm1\.', r'decoder.cls_layers.\1.self_attn_norm.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.(k|v)_proj\.', r'decoder.cls_layers.\1.\2_proj.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_qpos_sine_proj\.', r'decoder.cls_layers.\1.qpos_sine_proj.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cross_attn\.out_proj\.', r'decoder.cls_layers.\1.cross_attn.out_proj.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_linear1_\.', r'decoder.cls_layers.\1.ffn.layers.0.0.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_linear2_\.', r'decoder.cls_layers.\1.ffn.layers.1.'),
    (r'transformer\.decoder\.cls_layers\.(\d+)\.cls_norm_\.', r'decoder.cls_layers.\1.ffn_norm.'),
    # decoder-level modules
    (r'transformer\.decoder\.(query_scale|ref_point_head|ref_anchor_head)\.', r'decoder.\1.'),
    (r'transformer\.decoder\.norm\.', 'decoder.post_norm.'),
    (r'transformer\.decoder\.cls_norm2\.', 'decoder.class_norm.'),
    (r'transformer\.decoder\.class_queries\.', 'decoder.class_queries.'),
    (r'bbox_embed\.', 'decoder.bbox_head.'),
    (r'refpoint_embed\.weight$', 'anchors.weight'),
    (r'class_embed_b\.', 'actor_head.'),
]
_VIT_RULES: List[Tuple[str, str]] = [
    (r'backbone\.0\.lateral_convs\.', 'neck.levels.'),
    (r'backbone\.0\.body\.patch_embed\.proj\.', 'backbone.patch_embed.projection.'),
    (r'backbone\.0\.body\.blocks\.(\d+)\.mlp\.fc1\.', r'backbone.blocks.\1.mlp.layers.0.0.'),
    (r'backbone\.0\.body\.blocks\.(\d+)\.mlp\.fc2\.', r'backbone.blocks.\1.mlp.layers.1.'),
    (r'backbone\.0\.body\.', 'backbone.'),
]
_CSN_RULES: List[Tuple[str, str]] = [
    (r'input_proj\.3\.', 'neck.extra.0.'),
    (r'input_proj\.(\d)\.', r'neck.lateral.\1.'),
    (r'backbone\.0\.body\.conv1\.', 'backbone.conv1.conv.'),
    (r'backbone\.0\.body\.bn1\.', 'backbone.conv1.bn.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.conv1\.', r'backbone.\1.conv1.conv.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.bn1\.', r'backbone.\1.conv1.bn.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.conv3\.', r'backbone.\1.conv2.0.conv.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.bn3\.', r'backbone.\1.conv2.0.bn.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.conv4\.', r'backbone.\1.conv3.conv.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.bn4\.', r'backbone.\1.conv3.bn.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.down_sample\.0\.', r'backbone.\1.downsample.conv.'),
    (r'backbone\.0\.body\.(layer\d\.\d+)\.down_sample\.1\.', r'backbone.\1.downsample.bn.'),
]
# Never used by the released model, or a second name of a shared module (checked equal, then dropped).
_UNUSED = (r'transformer\.decoder\.cls_layers\.\d+\.q_proj\.', r'transformer\.decoder\.cls_norm\.',
           r'backbone\.0\.body\.pos_embed$', r'backbone\.0\.body\.(fc|out_fc)\.', r'backbone\.1\.')
_COPIES = ((r'transformer\.decoder\.cls_layers\.(\d+)\.conv_blocks\.[12]\.(.*)',
            r'transformer.decoder.cls_layers.\1.conv_blocks.0.\2'),
           (r'transformer\.decoder\.bbox_embed\.(.*)', r'bbox_embed.\1'))


def _rename(key: str, rules: List[Tuple[str, str]]):
    for pattern, target in rules:
        match = re.match(pattern, key)
        if match:
            if target is None:  # LDL norm1/2/3 -> norms.0/1/2
                layer, number = match.groups()
                return f'decoder.layers.{layer}.norms.{int(number) - 1}.' + key[match.end():]
            return match.expand(target) + key[match.end():]
    return None


def convert_csa_official(state_dict: Mapping[str, torch.Tensor], backbone: str = 'vit', bn_eps: float = 1e-3
                         ) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """Map a released CSA state_dict (``module.`` already stripped) to :class:`CSADetector` keys.

    Args:
        state_dict: The release's weights.
        backbone (str): ``'vit'`` (VideoMAE ViT-B + pyramid) or ``'csn'`` (ircsn + ``input_proj``).
        bn_eps (float): Epsilon of the target BatchNorm3d layers (MMAction2's ``ResNet3dCSN``: 1e-3); the
            code's ``Affine`` becomes a BatchNorm with variance ``1 - bn_eps``, so it computes ``w x + b``.

    Returns:
        tuple: the converted state_dict and the official keys that no rule maps (for the caller to report).
    """
    if backbone not in ('vit', 'csn'):
        raise ValueError(f"backbone must be 'vit' or 'csn', got {backbone!r}")
    rules = _TRANSFORMER_RULES + (_VIT_RULES if backbone == 'vit' else _CSN_RULES)
    converted: Dict[str, torch.Tensor] = OrderedDict()
    unmapped = []
    for key, value in state_dict.items():
        copy_of = next((re.sub(p, r, key) for p, r in _COPIES if re.fullmatch(p, key)), None)
        if copy_of is not None:
            if copy_of in state_dict and not torch.equal(state_dict[copy_of], value):
                raise ValueError(f'{key} should be a copy of the shared {copy_of} but differs')
            continue
        if any(re.match(pattern, key) for pattern in _UNUSED):
            continue
        new_key = _rename(key, rules)
        if new_key is None:
            unmapped.append(key)
            continue
        if re.search(r'cls_layers\.\d+\.[kv]_proj\.weight$', new_key) and value.dim() == 4:
            value = value.flatten(1)  # 1x1 Conv2d -> Linear
        if backbone == 'csn' and new_key.endswith('bn.weight') and value.dim() == 4:
            # the code's Affine (y = w x + b): a BatchNorm3d with mean 0 and variance 1 - eps
            prefix = new_key[:-len('weight')]
            bias = state_dict[key[:-len('weight')] + 'bias']
            converted[prefix + 'running_mean'] = torch.zeros(value.shape[0])
            converted[prefix + 'running_var'] = torch.full((value.shape[0], ), 1 - bn_eps)
            converted[prefix + 'num_batches_tracked'] = torch.tensor(0)
            value = value.flatten()
            converted[prefix + 'bias'] = bias.flatten()
        elif backbone == 'csn' and new_key.endswith('bn.bias') and value.dim() == 4:
            continue  # written with its weight
        converted[new_key] = value
    return converted, unmapped


__all__ = ['convert_csa_official']
