"""Draw the displacement an EMIM block reads from its affinity: per token of one frame, the soft-argmax
offset of its window attention to the next frame, as arrows over the frame (a PNG).

    python tools/analysis/emim_displacement.py CONFIG CHECKPOINT VIDEO OUT.png [--block blocks3.0]
                                               [--frame 3] [--cfg-options k=v ...]

CHECKPOINT may be ``none`` (the model as built). The video goes through the config's validation pipeline
(one clip); arrows are the offsets averaged over heads, in input pixels (token offset x the block's stride).
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
    parser = argparse.ArgumentParser(description='Draw the displacement field read from an EMIM affinity')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('video')
    parser.add_argument('out', help='PNG file to write')
    parser.add_argument('--block', default=None, help='EMIM block, e.g. blocks3.0 (default: the first)')
    parser.add_argument('--frame', type=int, default=0, help='frame of the clip whose queries are drawn')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def displacement(model, inputs, block_name):
    """Run ``model`` on packed ``inputs``; returns the frame tensor ``(T, H, W, 3)`` uint8 it saw and the
    head-averaged offsets ``(T, h, w, 2)`` (dy, dx in tokens) of EMIM block ``block_name``."""
    import torch

    from mmaction_ext.models.backbones.emim_uniformer import EMIMBlock
    from mmaction_ext.models.layers.emim_attention import window_offsets
    blocks = {name: module for name, module in model.backbone.named_modules() if isinstance(module, EMIMBlock)}
    if not blocks:
        raise ValueError(f'{type(model.backbone).__name__} has no EMIM block')
    block_name = block_name or next(iter(blocks))
    if block_name not in blocks:
        raise ValueError(f'no EMIM block {block_name!r}; the EMIM blocks are {sorted(blocks)}')
    attention = blocks[block_name].attn
    captured = {}

    def hook(module, args, output):
        tokens, thw = args[0], args[1]
        _, affinity = module.forward(tokens, thw, return_affinity=True)  # forward: no hook recursion
        captured['offsets'] = window_offsets(affinity.mean(1), module.window_size).reshape(
            affinity.shape[0], thw[0], thw[1], thw[2], 2)

    handle = attention.register_forward_hook(hook)
    try:
        with torch.no_grad():
            data = model.data_preprocessor(inputs, False)
            model.extract_feat(data['inputs'])
    finally:
        handle.remove()
    frames = inputs['inputs'][0][0].permute(1, 2, 3, 0)  # (C, T, H, W) -> (T, H, W, C)
    return frames, captured['offsets'][0], block_name


def draw_arrows(image, offsets, colour):
    """Arrows on ``image (H, W, 3)`` (in place) from the centre of each token cell of ``offsets (h, w, 2)``
    (dy, dx in tokens) along its offset, scaled to the image's cell size; returns the image."""
    import cv2
    rows, cols = offsets.shape[:2]
    cell_y, cell_x = image.shape[0] / rows, image.shape[1] / cols
    for i in range(rows):
        for j in range(cols):
            dy, dx = offsets[i, j].tolist()
            start = (int((j + 0.5) * cell_x), int((i + 0.5) * cell_y))
            end = (int(start[0] + dx * cell_x), int(start[1] + dy * cell_y))
            cv2.arrowedLine(image, start, end, colour, 1, tipLength=0.3)
    return image


def draw(frame, offsets, out):
    """Arrows from each token's centre along its offset (scaled to pixels) over ``frame (H, W, 3)``."""
    import cv2
    import numpy as np
    image = np.ascontiguousarray(frame.numpy()[..., ::-1]).astype(np.uint8)  # RGB -> BGR for cv2
    scale = max(1, 320 // max(image.shape[:2]))
    image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    draw_arrows(image, offsets, (0, 255, 255))  # yellow (BGR)
    if not cv2.imwrite(out, image):
        raise ValueError(f'could not write {out} (a .png path in an existing folder?)')


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmengine.dataset import Compose, pseudo_collate
    if not osp.isfile(args.video):
        raise FileNotFoundError(f'video not found: {args.video}')
    cfg = load_config(args.config, args.cfg_options)
    model = build_model(cfg, args.checkpoint)
    source = VideoSource(args.video)  # reads the video whatever the config's own data (files or the online demo)
    sample = Compose(source.pipeline(cfg.val_dataloader.dataset.pipeline))(source.results())
    frames, offsets, block = displacement(model, pseudo_collate([sample]), args.block)
    if not 0 <= args.frame < offsets.shape[0]:
        raise ValueError(f'--frame {args.frame} outside the clip of {offsets.shape[0]} frames at {block}')
    # The backbone may keep every input frame (no temporal stride) or every second one.
    frame = frames[min(args.frame * frames.shape[0] // offsets.shape[0], frames.shape[0] - 1)]
    draw(frame, offsets[args.frame], args.out)
    magnitude = torch.linalg.norm(offsets[args.frame], dim=-1)
    print(f'{block}, frame {args.frame}: {offsets.shape[1]}x{offsets.shape[2]} tokens, mean |offset| '
          f'{magnitude.mean():.3f} tokens (max {magnitude.max():.3f}); wrote {args.out}')


if __name__ == '__main__':
    run_tool(main)
