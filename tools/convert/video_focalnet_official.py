"""Convert an official Video-FocalNet checkpoint to this package's layout.

    python tools/convert/video_focalnet_official.py official.pth converted.pth

The official files are a dict with ``model`` (the weights) and a yacs ``config``
among others. They are read without yacs and without running pickled code; the
weights go to ``backbone.*`` / ``cls_head.fc_cls.*``, the architecture is
inferred from the shapes and checked against a freshly built model, and
missing, unexpected or mis-shaped keys are reported. The output loads with
``load_from=converted.pth`` or ``tools/test.py CONFIG converted.pth``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

import mmaction_ext  # noqa: E402,F401
from mmaction_ext.engine import run_tool  # noqa: E402
from mmaction_ext.fileio import FOREIGN_CONFIG_GLOBALS, extract_state_dict, load_checkpoint_safely  # noqa: E402
from mmaction_ext.models import VideoFocalNet, VideoFocalNetHead  # noqa: E402
from mmaction_ext.models.backbones.video_focalnet import convert_video_focalnet  # noqa: E402
from mmaction_ext.models.utils import compare_state_dict_shapes  # noqa: E402


def _plain(value):
    """Config stand-ins -> plain dicts, so the output needs no allow-list entry."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, argparse.Namespace):
        return _plain(vars(value))
    return value


def compare_with_model(converted, arch, num_classes):
    """Keys and shapes against a freshly built backbone and head: (missing, unexpected, mismatched)."""
    backbone = VideoFocalNet(arch)
    reference = {'backbone.' + k: v.shape for k, v in backbone.state_dict().items()}
    if num_classes:
        head = VideoFocalNetHead(num_classes, backbone.num_features)
        reference.update({'cls_head.' + k: v.shape for k, v in head.state_dict().items()})
    return compare_state_dict_shapes(converted, reference)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='official checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--force', action='store_true', help='write even if keys are missing or mis-shaped')
    args = parser.parse_args(argv)
    raw = load_checkpoint_safely(args.src, map_location='cpu', extra_safe_globals=FOREIGN_CONFIG_GLOBALS)
    state_dict = extract_state_dict(raw, args.src)
    converted, arch, num_classes = convert_video_focalnet(state_dict)
    missing, unexpected, mismatched = compare_with_model(converted, arch, num_classes)
    print(f'{args.src}: {len(state_dict)} tensors; arch embed_dims={arch["embed_dims"]} depths={arch["depths"]} '
          f'focal_levels={arch["focal_levels"]} focal_windows={arch["focal_windows"]}; {num_classes} classes')
    for title, keys in (('missing', missing), ('unexpected', unexpected), ('mis-shaped', mismatched)):
        print(f'  {title} keys: {len(keys)}' + ''.join(f'\n    {k}' for k in keys))
    if (missing or mismatched) and not args.force:
        raise ValueError(f'{args.src} does not match a Video-FocalNet of the inferred arch; nothing written '
                         '(use --force to write anyway)')
    meta = dict(source=osp.abspath(args.src), arch=arch, num_classes=num_classes)
    if isinstance(raw, dict):
        for key in ('epoch', 'max_accuracy'):
            if key in raw:
                meta[key] = _plain(raw[key]) if not torch.is_tensor(raw[key]) else raw[key].item()
        if 'config' in raw:
            meta['official_config'] = _plain(raw['config'])
    torch.save(dict(state_dict=converted, meta=meta), args.dst)
    print(f'wrote {args.dst} ({len(converted)} tensors)')


if __name__ == '__main__':
    run_tool(main)
