"""Draw CSA's class attention (paper Fig. 7): for each detected actor of one test clip, the attention of its
top-scoring class queries over the frame (the last classifying decoder layer, averaged over heads), as PNGs.

    python tools/analysis/csa_class_attention.py CONFIG CHECKPOINT OUT_DIR [--index 0] [--frame F]
                                                 [--actor-thr 0.5] [--top-classes 3] [--cfg-options k=v ...]

CHECKPOINT may be ``none`` (the model as built). The clip is sample ``--index`` of the config's test dataset;
``--frame`` is a frame of the clip (default: the keyframe in AVA mode, the middle frame otherwise). Actors are the
queries whose actor confidence reaches ``--actor-thr`` in that frame (the most confident one if none does). One
PNG per actor: the frame with its box, then one heat map per class, titled with its score and class.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import build_model, load_config, parse_tool_args, run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Draw CSA's per-class attention maps of detected actors")
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('out_dir')
    parser.add_argument('--index', type=int, default=0, help='sample of the test dataset')
    parser.add_argument('--frame', type=int, default=None, help='frame of the clip (default: keyframe / middle)')
    parser.add_argument('--actor-thr', type=float, default=0.5)
    parser.add_argument('--top-classes', type=int, default=3)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def _panel(image, heat, title):
    """``image (H, W, 3)`` BGR uint8 with ``heat (h, w)`` in [0, 1] blended over it and a title bar."""
    import cv2
    import numpy as np
    height, width = image.shape[:2]
    if heat is not None:
        heat = cv2.resize(heat.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
        colour = cv2.applyColorMap((255 * heat / max(float(heat.max()), 1e-8)).astype(np.uint8), cv2.COLORMAP_JET)
        image = cv2.addWeighted(image, 0.5, colour, 0.5, 0)
    bar = np.full((18, width, 3), 255, np.uint8)
    cv2.putText(bar, title[:max(1, width // 7)], (2, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([bar, image], 0)


def class_attention_pngs(model, sample, classes, out_dir, frame=None, actor_thr=0.5, top_classes=3):
    """Predict ``sample`` (a packed test sample) and write one PNG per actor; returns the paths."""
    import cv2
    import numpy as np
    import torch
    from mmengine.dataset import pseudo_collate
    model.test_cfg['class_attention'] = True
    with torch.no_grad():
        data = model.data_preprocessor(pseudo_collate([sample]), False)
        result = model(data['inputs'], data['data_samples'], mode='predict')[0]
    pred = result.pred_instances
    clip = sample['inputs']
    clip = clip[0] if clip.dim() == 5 else clip  # (C, T, H, W)
    num_frames = clip.shape[1]
    keyframe = model.mode == 'keyframe'
    frame = (num_frames // 2) if frame is None else frame
    if not 0 <= frame < num_frames or (keyframe and frame != num_frames // 2):
        allowed = f'the keyframe {num_frames // 2}' if keyframe else f'0-{num_frames - 1}'
        raise ValueError(f'--frame {frame}: this model decodes {allowed}')
    height, width = clip.shape[2:]
    image = np.ascontiguousarray(clip[:, frame].permute(1, 2, 0).numpy()[..., ::-1]).astype(np.uint8)
    if keyframe:
        boxes = pred.bboxes * pred.bboxes.new_tensor([width, height, width, height])
        maps, scores = pred.class_attention[:, 0], pred.scores[:, 1:]
        actor = scores.max(-1).values  # AVA mode scores classes alone (code)
    else:
        gt_h, gt_w = result.metainfo.get('gt_resolution', (height, width))
        boxes = pred.bboxes[:, frame] * pred.bboxes.new_tensor([width / gt_w, height / gt_h] * 2)
        maps, scores, actor = pred.class_attention[:, frame], pred.scores[:, frame], pred.actor_scores[:, frame]
    chosen = torch.nonzero(actor >= actor_thr).flatten().tolist() or [int(actor.argmax())]
    os.makedirs(out_dir, exist_ok=True)
    name = f"{result.metainfo.get('video_id', 'clip')}_{result.metainfo.get('clip_index', 0)}_f{frame}".replace('/', '_')
    paths = []
    for query in chosen:
        with_box = image.copy()
        x1, y1, x2, y2 = [int(round(v)) for v in boxes[query].tolist()]
        cv2.rectangle(with_box, (x1, y1), (x2, y2), (0, 255, 0), 1)
        panels = [_panel(with_box, None, f'{float(actor[query]):.2f} actor {query}')]
        for label in scores[query].argsort(descending=True)[:top_classes].tolist():
            title = f'{float(scores[query, label]):.2f} {classes[label] if label < len(classes) else label}'
            panels.append(_panel(with_box, maps[query, label].numpy(), title))
        path = osp.join(out_dir, f'{name}_actor{query}.png')
        scale = max(1, 160 // height)
        grid = np.concatenate(panels, 1)
        grid = cv2.resize(grid, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        if not cv2.imwrite(path, grid):
            raise ValueError(f'could not write {path}')
        paths.append(path)
    return paths


def main(argv=None):
    args = parse_args(argv)
    from mmaction.registry import DATASETS
    cfg = load_config(args.config, args.cfg_options)

    def check(model):
        if not hasattr(model, 'test_cfg') or 'class_attention' not in getattr(model, 'test_cfg', {}):
            raise ValueError(f'{args.config}: model {type(model).__name__} has no class attention (a CSADetector has)')

    model = build_model(cfg, args.checkpoint, check)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    if not 0 <= args.index < len(dataset):
        raise ValueError(f'--index {args.index} outside the test dataset of {len(dataset)} samples')
    classes = list(dataset.metainfo.get('classes') or [])
    paths = class_attention_pngs(model, dataset[args.index], classes, args.out_dir, args.frame, args.actor_thr,
                                 args.top_classes)
    print(f'wrote {len(paths)} PNG(s):\n' + '\n'.join(paths))


if __name__ == '__main__':
    run_tool(main)
