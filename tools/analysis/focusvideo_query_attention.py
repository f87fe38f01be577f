"""Where FocusVideo's action queries look (paper Fig. 5): per frame, the class token's attention of the global
branch and each query's attention over the frame, in the last block that feeds the QP layer (head mean of the
softmax), drawn as heat maps over the frames (one PNG, frames as rows).

    python tools/analysis/focusvideo_query_attention.py CONFIG CHECKPOINT VIDEO OUT.png
                                                        [--queries 0 1 2] [--block -1] [--cfg-options k=v ...]

CHECKPOINT may be ``none`` (the model as initialised, e.g. with its CLIP file). The video goes through the
config's validation pipeline (one clip, one crop). The class token's own key is left out of the maps.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.apis import VideoSource  # noqa: E402
from mmaction_ext.engine import build_model, load_config, parse_tool_args, run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Draw FocusVideo's per-query attention maps")
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('video')
    parser.add_argument('out', help='PNG file to write')
    parser.add_argument('--queries', type=int, nargs='+', default=[0, 1, 2], help='query indices to draw')
    parser.add_argument('--block', type=int, default=-1,
                        help='which propagation block (index into the backbone\'s propagation_layers; -1: last)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def query_attention(model, packed, block):
    """``(frames (T, H, W, 3) uint8, maps (T, 1 + K, h, w))``: the clip the model saw and the class token's
    and queries' attention over the patches of each frame at propagation block ``block``."""
    import torch
    backbone = model.backbone
    if not hasattr(backbone, 'propagation_layers'):
        raise ValueError(f'{type(backbone).__name__} has no action queries: use a FocusVideoCLIP config')
    if backbone.interaction == 'none':
        raise ValueError("interaction='none' has no query attention over the frame (the QP layer attends instead)")
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        inputs = data['inputs'].reshape((-1, ) + data['inputs'].shape[-4:])[:1]
        _, attention = backbone(inputs, return_query_attention=True)
    probs = attention[block][0]  # (T, 1 + K, L)
    grid = backbone.grid
    maps = probs[:, :, 1:].reshape(probs.shape[0], probs.shape[1], *grid)
    frames = packed['inputs'][0].reshape((-1, ) + packed['inputs'][0].shape[-4:])[0]  # (3, T, H, W)
    return frames.permute(1, 2, 3, 0).to(torch.uint8), maps


def draw(frames, maps, queries, out):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import torch.nn.functional as F
    frame_count, height, width = frames.shape[:3]
    columns = ['class token'] + [f'query {q}' for q in queries]
    rows = [0] + [1 + q for q in queries]
    heat = F.interpolate(maps[:, rows], size=(height, width), mode='bilinear', align_corners=False)
    fig, axes = plt.subplots(frame_count, len(rows), figsize=(2 * len(rows), 2 * frame_count), squeeze=False)
    for t in range(frame_count):
        for c in range(len(rows)):
            ax = axes[t][c]
            ax.imshow(frames[t].numpy())
            ax.imshow(heat[t, c].numpy(), cmap='jet', alpha=0.5)
            ax.axis('off')
            if t == 0:
                ax.set_title(columns[c], fontsize=9)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)


def main(argv=None):
    args = parse_args(argv)
    from mmengine.dataset import Compose, pseudo_collate
    if not osp.isfile(args.video):
        raise FileNotFoundError(f'video not found: {args.video}')
    cfg = load_config(args.config, args.cfg_options)

    def check(model):
        num_queries = getattr(model.backbone, 'num_queries', 0)
        bad = [q for q in args.queries if not 0 <= q < num_queries]
        if bad:
            raise ValueError(f'--queries {bad} outside the {num_queries} queries per frame')

    model = build_model(cfg, args.checkpoint, check)
    pipeline = [step for step in cfg.val_dataloader.dataset.pipeline if step['type'] != 'LoadFrameFeatureTargets']
    source = VideoSource(args.video)  # reads the video whatever the config's own data (files or the online demo)
    sample = Compose(source.pipeline(pipeline))(source.results())
    frames, maps = query_attention(model, pseudo_collate([sample]), args.block)
    draw(frames, maps, args.queries, args.out)
    peak = maps[:, 1:].flatten(2).max(-1).values.mean()
    print(f'{maps.shape[0]} frames, {maps.shape[2]}x{maps.shape[3]} patches, {len(args.queries)} queries drawn '
          f'(mean peak attention of all queries {peak:.3f}); wrote {args.out}')
    return maps


if __name__ == '__main__':
    run_tool(main)
