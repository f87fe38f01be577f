"""Predict a video with a trained model and write it back with the predictions drawn, plus a JSON of them.

    python tools/demo_video.py CONFIG CHECKPOINT VIDEO --out OUT.mp4 [--json OUT.json] [--label-map CLASSES.txt]
                               [--top-k 5] [--score-thr 0.3] [--link-iou 0.3] [--device cpu] [--cfg-options k=v ...]

VIDEO is a video file or a folder of numbered frames. CHECKPOINT may be ``none`` (the model as initialised: the
parameter-free oracle of ``configs/detection_eval``, which reads the ground truth of its test dataset's videos).
Recognizers: the top-k classes with their scores on every frame (the config's test views, averaged). Tube
detectors (CSA in tube mode): every tube's box with its identity, class and score. The JSON is what
``mmaction_ext.apis.inference`` returns (docs/inference.md); ``--json`` defaults to OUT with ``.json``.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import parse_tool_args, run_tool  # noqa: E402

COLOURS = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240),
           (240, 50, 230), (210, 245, 60)]  # RGB, one per tube identity


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Draw a model\'s predictions on a video')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('video', help='a video file or a folder of numbered frames')
    parser.add_argument('--out', required=True, help='the MP4 to write')
    parser.add_argument('--json', help='the predictions as JSON (default: OUT with .json)')
    parser.add_argument('--label-map', help='class names, one per line')
    parser.add_argument('--top-k', type=int, default=5, help='classes a recognizer reports')
    parser.add_argument('--score-thr', type=float, default=0.3, help='a detector\'s actor threshold per frame')
    parser.add_argument('--link-iou', type=float, default=0.3, help='IoU that links a tube into the next clip')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--min-size', type=int, default=240,
                        help='enlarge a smaller video by a whole factor for legible labels (boxes in the JSON stay '
                        'in the video\'s pixels)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def _text(image, text, origin, colour, scale):
    """``text`` on a filled box (so it reads on any frame) with its top-left corner at ``origin``."""
    import cv2
    thickness = 1
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, thickness)
    x, y = origin
    cv2.rectangle(image, (x, y), (x + width + 2, y + height + baseline + 2), colour, -1)
    cv2.putText(image, text, (x + 1, y + height + 1), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), thickness,
                cv2.LINE_AA)
    return height + baseline + 2


def frame_drawings(result):
    """``frame index -> [(tube id, box, text)]`` of a detection result."""
    per_frame = {}
    for tube in result['tubes']:
        for frame, box, label, score in zip(tube['frames'], tube['boxes'], tube['frame_labels'], tube['frame_scores']):
            per_frame.setdefault(frame, []).append((tube['id'], box, f"#{tube['id']} {tube['name']} {score:.2f}"))
    return per_frame


def draw(frame, index, result, scale, factor=1):
    """The RGB ``frame``, enlarged ``factor`` times, with the predictions of frame ``index`` drawn on it."""
    import cv2
    image = cv2.resize(frame, None, fx=factor, fy=factor, interpolation=cv2.INTER_NEAREST) if factor > 1 else frame.copy()
    if result['task'] == 'recognition':
        y = 2
        for prediction in result['predictions']:
            y += _text(image, f"{prediction['name']}: {prediction['score']:.3f}", (2, y), (40, 40, 40), scale)
        return image
    for tube_id, box, text in result['_per_frame'].get(index, []):
        colour = COLOURS[tube_id % len(COLOURS)]
        x1, y1, x2, y2 = (int(round(v * factor)) for v in box)
        cv2.rectangle(image, (x1, y1), (max(x1, x2 - 1), max(y1, y2 - 1)), colour, 1 + int(factor > 1 or scale > 0.6))
        label_height = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)[0][1] + 6
        _text(image, text, (max(0, x1), y1 - label_height if y1 >= label_height else y2), colour, scale)
    return image


def write_video(source, result, out, min_size=240):
    """Every frame of ``source`` with ``result`` drawn, as MP4 (mp4v) at the source's frame rate; a video whose
    short side is under ``min_size`` is enlarged by a whole factor so that the labels stay legible."""
    import cv2
    from tqdm import tqdm
    factor = max(1, -(-min_size // min(source.size)))
    height, width = source.size[0] * factor, source.size[1] * factor
    writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), source.fps, (width, height))
    if not writer.isOpened():
        raise ValueError(f'OpenCV cannot write {out} (an .mp4 path in an existing folder?)')
    scale = max(0.4, min(height, width) / 480)
    if result['task'] == 'detection':
        result = dict(result, _per_frame=frame_drawings(result))
    try:
        with tqdm(total=source.num_frames, desc='drawing', unit='frame') as bar:
            for start, frames in source.chunks():
                for offset, frame in enumerate(frames):
                    writer.write(cv2.cvtColor(draw(frame, start + offset, result, scale, factor), cv2.COLOR_RGB2BGR))
                bar.update(len(frames))
    finally:
        writer.release()


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.apis import VideoSource, inference, init_model
    if args.checkpoint != 'none' and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    if not osp.exists(args.video):
        raise FileNotFoundError(f'video not found: {args.video}')
    if not args.out.lower().endswith('.mp4'):
        raise ValueError(f'--out {args.out}: write an .mp4 file')
    json_path = args.json or osp.splitext(args.out)[0] + '.json'
    model = init_model(args.config, args.checkpoint, args.device, args.cfg_options, args.label_map)
    source = VideoSource(args.video)  # opened once: predicted, then read again chunk by chunk for drawing
    result = inference(model, source, top_k=args.top_k, score_thr=args.score_thr, link_iou=args.link_iou,
                       progress=True)
    write_video(source, result, args.out, args.min_size)
    with open(json_path, 'w') as stream:
        json.dump(result, stream, indent=1)
    if result['task'] == 'recognition':
        summary = ', '.join(f"{p['name']} {p['score']:.3f}" for p in result['predictions'])
    else:
        summary = f"{len(result['tubes'])} tube(s) over {result['clips']} clip(s)"
    print(f'{args.video}: {summary}; wrote {args.out} and {json_path}')
    return result


if __name__ == '__main__':
    run_tool(main)
