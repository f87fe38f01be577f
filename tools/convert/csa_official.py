"""Convert a released CSA checkpoint ("Classification Matters", class-query-vad) to this package's layout.

    python tools/convert/csa_official.py CONFIG official.pth converted.pth [--backbone vit|csn]

The released files hold the ``DETR`` module's weights (possibly under ``model`` and with a ``module.``
prefix, next to a yacs config); they are read without yacs and without running pickled code. Keys are
mapped by ``mmaction_ext.models.detectors.csa_checkpoint`` and checked against the model CONFIG builds:
missing, unexpected or mis-shaped keys are reported, and nothing is written unless they match (``--force``).
The output loads with ``tools/test.py CONFIG converted.pth``. CONFIG must run the weights as the release does: the
``configs/csa/*-released_*`` configs (offsets divided by (T, W, H), the release's normalisation); another config is
refused, naming the one to use.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import torch  # noqa: E402

import mmaction_ext  # noqa: E402,F401
from mmaction_ext.engine import load_config, run_tool  # noqa: E402
from mmaction_ext.fileio import load_official_state_dict  # noqa: E402
from mmaction_ext.models.detectors.csa_checkpoint import convert_csa_official  # noqa: E402
from mmaction_ext.models.utils import compare_state_dict_shapes  # noqa: E402


def compare_with_model(converted, config):
    """Keys and shapes against the model of ``config``: (missing, unexpected, mismatched)."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model_cfg = config.model
    model_cfg.backbone.pop('init_cfg', None)  # the converted file replaces any pretrained backbone
    model = MODELS.build(model_cfg)
    # VideoMAE's fixed sinusoid position table is a buffer the release does not save: take the built one
    if 'backbone.pos_embed' not in converted and 'pos_embed' in dict(model.backbone.named_buffers()):
        converted['backbone.pos_embed'] = model.backbone.pos_embed.detach().clone()
    return compare_state_dict_shapes(converted, {k: v.shape for k, v in model.state_dict().items()})


def check_release_settings(config, path, force=False):
    """The released weights were trained with offsets divided by (T, W, H): a config with another normaliser
    would run them wrongly. Refuse it (naming the configs/csa/*-released_* config to use) unless ``force``."""
    attn = config.model.get('encoder', {}).get('layer_cfg', {}).get('self_attn_cfg', {})
    normalizer = attn.get('offset_normalizer', 'whT')
    if normalizer == 'official':
        return
    released = osp.join(osp.dirname(path), osp.basename(path).replace('-pre_', '-released_'))
    hint = (f'use {released}' if osp.isfile(released) and released != path
            else "set model.encoder.layer_cfg.self_attn_cfg.offset_normalizer='official'")
    message = (f"{path}: offset_normalizer={normalizer!r}, but the released CSA weights divide the deformable offsets "
               f"by (T, W, H) (offset_normalizer='official'); {hint}")
    if not force:
        raise ValueError(message + ' (or --force)')
    print(f'warning: {message}')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the CSA config the weights are for (configs/csa/...)')
    parser.add_argument('src', help='released checkpoint (.pth)')
    parser.add_argument('dst', help='output checkpoint')
    parser.add_argument('--backbone', choices=('vit', 'csn'), default=None,
                        help='released backbone layout (default: from the config\'s backbone type)')
    parser.add_argument('--force', action='store_true',
                        help='write even if keys are missing, unexpected or mis-shaped')
    args = parser.parse_args(argv)
    config = load_config(args.config)
    check_release_settings(config, args.config, args.force)
    backbone = args.backbone or ('vit' if config.model.backbone.type == 'VisionTransformer' else 'csn')
    state_dict = load_official_state_dict(args.src, strip_prefixes=('module.', ))
    converted, unmapped = convert_csa_official(state_dict, backbone)
    missing, unexpected, mismatched = compare_with_model(converted, config)
    print(f'{args.src}: {len(state_dict)} tensors, {backbone} layout -> {len(converted)} tensors')
    for title, keys in (('unmapped official', unmapped), ('missing', missing), ('unexpected', unexpected),
                        ('mis-shaped', mismatched)):
        print(f'  {title} keys: {len(keys)}' + ''.join(f'\n    {k}' for k in keys))
    if (missing or unexpected or mismatched or unmapped) and not args.force:
        raise ValueError(f'{args.src} does not match the model of {args.config}; nothing written '
                         '(use --force to write anyway)')
    torch.save(dict(state_dict=converted, meta=dict(source=osp.abspath(args.src), config=osp.abspath(args.config))),
               args.dst)
    print(f'wrote {args.dst} ({len(converted)} tensors)')


if __name__ == '__main__':
    run_tool(main)
