"""Official Video-FocalNet checkpoints -> this package's recognizer layout."""
import re
from collections import OrderedDict
from typing import Dict, Tuple


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
    """Map official keys to ``backbone.*`` and ``cls_head.fc_cls.*``.

    Returns:
        tuple: converted state_dict, backbone ``arch`` dict, number of classes
        (0 if the file has no head).
    """
    converted = OrderedDict()
    for key, value in state_dict.items():
        key = key[len('module.'):] if key.startswith('module.') else key
        if key.startswith('head.'):
            converted['cls_head.fc_cls.' + key[len('head.'):]] = value
        else:
            converted['backbone.' + key] = value
    num_classes = state_dict['head.weight'].shape[0] if 'head.weight' in state_dict else 0
    return converted, infer_video_focalnet_arch(state_dict), num_classes
