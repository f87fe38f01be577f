"""ART's action tracklets on a video (paper Fig. 8): for each of the K region queries, where its response comes
from in every frame (the last RSSA decoder layer's cross-attention, head mean), drawn as heat maps with the box
around the strongest cells and a dashed line through the box centres over time.

    python tools/analysis/art_tracklets.py CONFIG CHECKPOINT VIDEO OUT.png [--mp4 OUT.mp4] [--tubes OUT.pkl]
                                           [--threshold 0.5] [--cfg-options k=v ...]

CHECKPOINT may be ``none`` (the model as initialised). The video goes through the config's validation pipeline
(one clip, one crop). A box covers the token cells whose attention is at least ``threshold`` x the frame's
maximum for that query. ``--mp4`` also writes the clip with every region's box (one colour per tracklet).
``--tubes`` writes the tracklets in the package's tube format (``bboxes (K, T, 4)`` in the video's pixels,
``scores (K, T, 1)`` the attention peak, 1-based ``frame_ids (T, )``, ``frame_valid``), for the detection
metrics (``evaluation.functional.frame_ap``); the clip is then resized to the model's input without a crop, so
that the boxes map back to the video exactly.
"""
import argparse
import os.path as osp
import pickle
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.apis import VideoSource  # noqa: E402
from mmaction_ext.engine import build_model, load_config, parse_tool_args, run_tool  # noqa: E402

COLOURS = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Draw ART's action tracklets on a video")
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('video')
    parser.add_argument('out', help='PNG file to write')
    parser.add_argument('--mp4', help='also write the clip with the tracklet boxes as an MP4')
    parser.add_argument('--tubes', help='also write the tracklets as tubes in video pixels (pickle)')
    parser.add_argument('--threshold', type=float, default=0.5, help='box: cells >= threshold x the frame maximum')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def region_attention(model, packed):
    """``(frames (T, H, W, 3) uint8, maps (T, K, h, w), classes (K, ))``: the clip the model saw, each region
    query's attention over the token grid of each frame, and the text classes selected for the video."""
    import torch
    head = model.cls_head
    if not getattr(head, 'rssa_enabled', False):
        raise ValueError(f'{type(head).__name__} has no region queries: use an ARTHead config with rssa=True')
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        inputs = data['inputs'].reshape((-1, ) + data['inputs'].shape[-4:])[:1]
        parts = head.forward_tracklets(*head.unpack(model.backbone(inputs)), return_attention=True)
    attention = parts['attention'][0]  # (T, K, L)
    side = int(round(attention.shape[-1]**0.5))
    if side * side != attention.shape[-1]:
        raise ValueError(f'{attention.shape[-1]} tokens per frame do not form a square grid')
    frames = packed['inputs'][0].reshape((-1, ) + packed['inputs'][0].shape[-4:])[0]  # (3, T, H, W)
    return (frames.permute(1, 2, 3, 0).to(torch.uint8), attention.reshape(*attention.shape[:2], side, side),
            parts['classes'][0])


def attention_boxes(maps, size, threshold=0.5):
    """``(T, K, 4)`` boxes ``(x1, y1, x2, y2)`` in pixels of a ``size = (H, W)`` frame: the token cells whose
    attention reaches ``threshold`` x that frame's maximum for the query."""
    import torch
    frames, regions, rows, columns = maps.shape
    cell_h, cell_w = size[0] / rows, size[1] / columns
    boxes = torch.zeros(frames, regions, 4)
    for t in range(frames):
        for k in range(regions):
            ys, xs = torch.nonzero(maps[t, k] >= threshold * maps[t, k].max(), as_tuple=True)
            boxes[t, k] = torch.tensor([xs.min() * cell_w, ys.min() * cell_h, (xs.max() + 1) * cell_w,
                                        (ys.max() + 1) * cell_h])
    return boxes


def draw(frames, maps, boxes, out):
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    import torch.nn.functional as F
    from matplotlib.patches import Rectangle
    frame_count, height, width = frames.shape[:3]
    regions = maps.shape[1]
    heat = F.interpolate(maps, size=(height, width), mode='bilinear', align_corners=False)
    fig, axes = plt.subplots(regions + 1, frame_count, figsize=(1.6 * frame_count, 1.6 * (regions + 1)),
                             squeeze=False)
    for t in range(frame_count):
        axes[0][t].imshow(frames[t].numpy())
        axes[0][t].set_title(f't={t}', fontsize=8)
        for k in range(regions):
            ax = axes[k + 1][t]
            ax.imshow(frames[t].numpy())
            ax.imshow(heat[t, k].numpy(), cmap='jet', alpha=0.45)
            x1, y1, x2, y2 = boxes[t, k].tolist()
            colour = [c / 255 for c in COLOURS[k % len(COLOURS)]]
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=colour, linewidth=1.5))
            if t == 0:
                ax.set_ylabel(f'tracklet {k}', fontsize=8)
    for row in axes:
        for ax in row:
            ax.set_xticks([])
            ax.set_yticks([])
    for k in range(regions):  # dashed line through the box centres across the row
        centres = [((boxes[t, k, 0] + boxes[t, k, 2]) / 2, (boxes[t, k, 1] + boxes[t, k, 3]) / 2)
                   for t in range(frame_count)]
        figure_points = [fig.transFigure.inverted().transform(axes[k + 1][t].transData.transform(c))
                         for t, c in enumerate(centres)]
        xs, ys = zip(*figure_points)
        fig.lines.append(matplotlib.lines.Line2D(xs, ys, transform=fig.transFigure, linestyle='--', linewidth=0.8,
                                                 color=[c / 255 for c in COLOURS[k % len(COLOURS)]]))
    fig.savefig(out, dpi=80)
    plt.close(fig)


def write_mp4(frames, boxes, out, fps=4):
    import cv2
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps, (width, height))
    if not writer.isOpened():
        raise OSError(f'OpenCV cannot write {out} (mp4v)')
    for t in range(frames.shape[0]):
        image = cv2.cvtColor(frames[t].numpy().copy(), cv2.COLOR_RGB2BGR)
        for k in range(boxes.shape[1]):
            x1, y1, x2, y2 = (int(round(v)) for v in boxes[t, k].tolist())
            red, green, blue = COLOURS[k % len(COLOURS)]
            cv2.rectangle(image, (x1, y1), (max(x1, x2 - 1), max(y1, y2 - 1)), (blue, green, red), 1)
        writer.write(image)
    writer.release()


def resize_only_pipeline(pipeline):
    """The validation pipeline with its resize and crop replaced by one resize to the crop's size (no aspect
    kept), and the sampled frames and shapes packed: boxes then map back to the video by a scale alone."""
    steps = [dict(step) for step in pipeline]
    crops = [step for step in steps if step['type'] in ('CenterCrop', 'ThreeCrop', 'TenCrop')]
    if len(crops) != 1 or not isinstance(crops[0].get('crop_size'), int):
        raise ValueError('--tubes needs a validation pipeline with one square CenterCrop (the model input size)')
    size = crops[0]['crop_size']
    kept = [step for step in steps if step['type'] not in ('Resize', 'CenterCrop', 'ThreeCrop', 'TenCrop',
                                                               'PackActionInputs')]
    decode = next(i for i, step in enumerate(kept) if step['type'].endswith('Decode'))
    kept.insert(decode + 1, dict(type='Resize', scale=(size, size), keep_ratio=False))
    return kept + [dict(type='PackActionInputs', meta_keys=('img_shape', 'original_shape', 'frame_inds'))]


def tracklet_tubes(boxes, maps, metainfo):
    """The tracklets as predicted tubes of the package's format, in the video's pixels."""
    from mmaction_ext.structures import rescale_tube_boxes
    bboxes = rescale_tube_boxes(boxes.transpose(0, 1), tuple(metainfo['img_shape']),
                                tuple(metainfo['original_shape']))
    frame_ids = [int(i) + 1 for i in metainfo['frame_inds']]  # decoders' 0-based indices, tubes' 1-based ids
    scores = maps.flatten(2).max(-1).values.transpose(0, 1)[..., None]
    return dict(bboxes=bboxes.numpy(), scores=scores.numpy(), frame_ids=frame_ids,
                frame_valid=[True] * len(frame_ids), original_shape=tuple(metainfo['original_shape']))


def main(argv=None):
    args = parse_args(argv)
    from mmengine.dataset import Compose, pseudo_collate
    if not osp.isfile(args.video):
        raise FileNotFoundError(f'video not found: {args.video}')
    if not 0 < args.threshold <= 1:
        raise ValueError(f'--threshold {args.threshold}: must lie in (0, 1]')
    cfg = load_config(args.config, args.cfg_options)
    model = build_model(cfg, args.checkpoint)
    source = VideoSource(args.video)  # reads the video whatever the config's own data (files or the online demo)
    sample = Compose(source.pipeline(cfg.val_dataloader.dataset.pipeline))(source.results())
    frames, maps, classes = region_attention(model, pseudo_collate([sample]))
    boxes = attention_boxes(maps, frames.shape[1:3], args.threshold)
    draw(frames, maps, boxes, args.out)
    written = [args.out]
    if args.mp4:
        write_mp4(frames, boxes, args.mp4)
        written.append(args.mp4)
    tubes = None
    if args.tubes:
        pipeline = resize_only_pipeline(cfg.val_dataloader.dataset.pipeline)
        packed = pseudo_collate([Compose(source.pipeline(pipeline))(source.results())])
        clip, clip_maps, _ = region_attention(model, packed)
        clip_boxes = attention_boxes(clip_maps, clip.shape[1:3], args.threshold)
        tubes = tracklet_tubes(clip_boxes, clip_maps, packed['data_samples'][0].metainfo)
        with open(args.tubes, 'wb') as stream:
            pickle.dump(dict(tubes, video=args.video, text_classes=classes.tolist()), stream)
        written.append(args.tubes)
    print(f'{maps.shape[0]} frames, {maps.shape[1]} tracklets on {maps.shape[2]}x{maps.shape[3]} tokens, text '
          f'classes {classes.tolist()}; wrote {", ".join(written)}')
    return maps, boxes, tubes


if __name__ == '__main__':
    run_tool(main)
