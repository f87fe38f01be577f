"""Write the motion demo datasets to disk: mp4 videos plus MMAction2 annotation files.

Classification layout (``out_dir``)::

    classes.txt                 one class name per line
    train_list.txt, val_list.txt   ``videos/<split>/<name>.mp4 <label>`` (MMAction2 VideoDataset)
    videos/{train,val}/*.mp4
    meta.json                   the generation parameters

Detection layout (``out_dir``)::

    motion_demo-GT.pkl          ACT format: labels, gttubes, nframes, train_videos,
                                test_videos, resolution (as JHMDB-GT.pkl / UCF101v2-GT.pkl)
    ava_{train,val}.csv         AVA format: video_id, second, x1, y1, x2, y2 (normalised),
                                action_id (1-based), actor_id
    ava_{train,val}_excluded_timestamps.csv, ava_proposals_{train,val}.pkl (GT boxes, score 1)
    action_list.pbtxt           AVA label map (item { name id })
    videos/*.mp4, rawframes/<video>/img_00001.jpg (optional)
    meta.json

Every clip is drawn from its own random stream, seeded by ``(seed, split, ...)``,
so a clip does not change when the dataset size does, and a seed reproduces the
same files.
"""
import csv
import json
import os
import os.path as osp
import pickle
from typing import List, Optional, Sequence

import numpy as np

from ..ava_annotations import write_ava_label_map
from .motions import MOTION_CLASSES
from .scene import DIFFICULTIES, difficulty_settings, render_classification_clip, render_detection_clip

# Bump when the rendering changes, so that existing datasets are regenerated.
GENERATOR_VERSION = 5
_SPLITS = {'train': 0, 'val': 1}
_KIND = {'classification': 0, 'detection': 1}


def classification_seed(seed: int, split: str, label: int, index: int, epoch: int = 0) -> List[int]:
    """The random stream of classification clip ``index`` of class ``label``: the files hold epoch 0; the online
    dataset (:class:`~mmaction_ext.datasets.MotionDemoDataset`) draws a new clip for every later epoch."""
    entropy = [seed, _KIND['classification'], _SPLITS[split], label, index]
    return entropy + [epoch] if epoch else entropy


def detection_seed(seed: int, split: str, index: int, epoch: int = 0) -> List[int]:
    """The random stream of detection clip ``index``: the files hold epoch 0; the online dataset
    (:class:`~mmaction_ext.datasets.MotionDemoTubeDataset`) draws a new clip for every later epoch."""
    entropy = [seed, _KIND['detection'], _SPLITS[split], index]
    return entropy + [epoch] if epoch else entropy


def detection_video_name(split: str, index: int) -> str:
    """The name of detection clip ``index`` (its file is ``videos/<name>.mp4``)."""
    return f'{split}_{index:04d}'


def act_tubes(actors, height: int, width: int) -> dict:
    """The ACT ground truth of a detection clip's actors: ``{label: [(n, 5) float32 arrays of frame (1-based), x1,
    y1, x2, y2]}``, one tube per action segment."""
    tubes = {}
    for actor in actors:
        boxes = actor.boxes(height, width)
        for label, first, last in actor.segments():
            frame_ids = np.arange(first, last + 1)[:, None] + 1.0  # ACT frames are 1-based
            tubes.setdefault(label, []).append(np.hstack([frame_ids, boxes[first:last + 1]]).astype(np.float32))
    return tubes


def ava_keyframes(video: str, actors, height: int, width: int, num_frames: int, fps: int):
    """The AVA ground truth of a detection clip: a keyframe at every whole second ``s >= 1`` (0-based frame
    ``s * fps``) that the clip holds.

    Returns:
        tuple[list[list], dict]: the rows of ``ava_<split>.csv`` (``video, second, x1, y1, x2, y2`` normalised and
        written with 3 decimals, ``action_id`` 1-based, ``actor_id``), one per actor acting at a keyframe, and the
        proposals ``{'<video>,<second:04d>': (n, 5) float32 boxes + score 1}`` of every actor at every keyframe.
    """
    rows, proposals = [], {}
    scale = np.array([width, height, width, height], np.float64)
    boxes = [actor.boxes(height, width) / scale for actor in actors]
    for second in range(1, (num_frames - 1) // fps + 1):
        key_frame = second * fps
        for actor_id, actor in enumerate(actors):
            label = int(actor.labels[key_frame])
            if label >= 0:
                rows.append([video, second, *(f'{v:.3f}' for v in boxes[actor_id][key_frame]), label + 1, actor_id])
        proposals[f'{video},{second:04d}'] = np.hstack(
            [np.array([box[key_frame] for box in boxes]), np.ones((len(actors), 1))]).astype(np.float32)
    return rows, proposals


def clip_relpath(split: str, label: int, index: int) -> str:
    """Where the generator writes classification clip ``index`` of class ``label``."""
    return f'videos/{split}/{MOTION_CLASSES[label]}_{index:04d}.mp4'


def rgb_to_yuv420p(frame: np.ndarray) -> np.ndarray:
    """BT.601 limited-range RGB -> planar YUV 4:2:0, as the ``(H * 3 / 2, W)`` array PyAV expects."""
    rgb = frame.astype(np.float32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
    height, width = y.shape
    u = u.reshape(height // 2, 2, width // 2, 2).mean((1, 3))
    v = v.reshape(height // 2, 2, width // 2, 2).mean((1, 3))
    planes = [y, u.reshape(height // 4, width), v.reshape(height // 4, width)]
    return np.concatenate([np.clip(np.round(p), 0, 255).astype(np.uint8) for p in planes])


def write_video(filename: str, frames: np.ndarray, fps: int) -> None:
    """Encode ``(T, H, W, 3)`` uint8 RGB frames as H.264 mp4 (H and W multiples of 4).

    The same frames give the same bytes: one encoder thread, and x264 without its SIMD kernels
    (``asm=0``), which were seen to make the output depend on the process's history, presumably by
    reading the uninitialised row padding of the frames PyAV hands over.
    """
    import av
    os.makedirs(osp.dirname(filename) or '.', exist_ok=True)
    _, height, width, _ = frames.shape
    if height % 4 or width % 4:
        raise ValueError(f'{filename}: frame sizes must be multiples of 4 for YUV 4:2:0, got {height}x{width}')
    with av.open(filename, 'w') as container:
        stream = container.add_stream('libx264', rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        stream.options = {'crf': '15', 'preset': 'fast', 'threads': '1', 'x264-params': 'asm=0'}
        for index, frame in enumerate(frames):
            video_frame = av.VideoFrame.from_ndarray(rgb_to_yuv420p(frame), format='yuv420p')
            video_frame.pts = index
            container.mux(stream.encode(video_frame))
        container.mux(stream.encode())


def write_class_names(path: str, class_indices: Sequence[int]) -> None:
    """Write the names of ``class_indices`` (into :data:`MOTION_CLASSES`), one per line: the class-name file that
    ``tools/build_text_bank.py`` reads, for the online demo (which has no ``classes.txt`` of its own)."""
    bad = [c for c in class_indices if not 0 <= c < len(MOTION_CLASSES)]
    if bad:
        raise ValueError(f'{path}: class indices {bad} are not in [0, {len(MOTION_CLASSES)})')
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path, 'w') as f:
        f.write(''.join(f'{MOTION_CLASSES[c]}\n' for c in class_indices))
    print(f'wrote {len(class_indices)} class names to {path}')


def _up_to_date(out_dir: str, meta: dict) -> bool:
    path = osp.join(out_dir, 'meta.json')
    if not osp.isfile(path):
        return False
    with open(path) as f:
        return json.load(f) == meta


def _write_meta(out_dir: str, meta: dict) -> None:
    with open(osp.join(out_dir, 'meta.json'), 'w') as f:
        json.dump(meta, f, indent=1)


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from mmengine.utils import ProgressBar
    return ProgressBar(total)


def generate_classification(out_dir: str, num_classes: int = 12, train_per_class: int = 40,
                            val_per_class: int = 10, num_frames: int = 32, size: int = 112, fps: int = 16,
                            seed: int = 0, progress: bool = True, force: bool = False,
                            difficulty: str = 'full') -> dict:
    """Generate the motion-only classification dataset.

    Args:
        out_dir (str): Output folder.
        num_classes (int): First ``num_classes`` entries of :data:`MOTION_CLASSES`.
        train_per_class (int): Training clips per class.
        val_per_class (int): Validation clips per class.
        num_frames (int): Frames per clip.
        size (int): Frame side in pixels (even).
        fps (int): Frame rate written into the videos.
        seed (int): Seed; the same seed writes the same data.
        progress (bool): Show a progress bar.
        force (bool): Regenerate even if ``out_dir`` holds the same dataset.
        difficulty (str): A rung of the difficulty ladder (``scene.DIFFICULTIES``); ``'full'`` is the demo.

    Returns:
        dict: the generation parameters (also written to ``meta.json``).
    """
    if not 1 <= num_classes <= len(MOTION_CLASSES):
        raise ValueError(f'num_classes must be in [1, {len(MOTION_CLASSES)}], got {num_classes}')
    difficulty_settings(difficulty)
    meta = dict(version=GENERATOR_VERSION, kind='classification', classes=list(MOTION_CLASSES[:num_classes]),
                train_per_class=train_per_class, val_per_class=val_per_class, num_frames=num_frames,
                size=size, fps=fps, seed=seed)
    if difficulty != 'full':  # the full demo keeps the meta.json of earlier versions (no regeneration)
        meta['difficulty'] = difficulty
    if not force and _up_to_date(out_dir, meta):
        print(f'motion demo (classification) in {out_dir} is up to date')
        return meta
    os.makedirs(out_dir, exist_ok=True)
    with open(osp.join(out_dir, 'classes.txt'), 'w') as f:
        f.write('\n'.join(meta['classes']) + '\n')
    counts = {'train': train_per_class, 'val': val_per_class}
    bar = _progress(num_classes * (train_per_class + val_per_class), progress)
    for split, per_class in counts.items():
        lines = []
        for label in range(num_classes):
            for index in range(per_class):
                rng = np.random.default_rng(classification_seed(seed, split, label, index))
                frames = render_classification_clip(rng, label, num_frames, size, difficulty)
                relpath = clip_relpath(split, label, index)
                write_video(osp.join(out_dir, relpath), frames, fps)
                lines.append(f'{relpath} {label}')
                if bar is not None:
                    bar.update()
        with open(osp.join(out_dir, f'{split}_list.txt'), 'w') as f:
            f.write('\n'.join(lines) + '\n')
    if bar is not None:
        print()
    _write_meta(out_dir, meta)
    return meta


def generate_detection(out_dir: str, num_classes: int = 12, num_train: int = 16, num_val: int = 8,
                       num_frames: int = 48, height: int = 120, width: int = 160, fps: int = 8,
                       num_actors: Sequence[int] = (2, 3), seed: int = 0, rawframes: bool = False,
                       progress: bool = True, force: bool = False) -> dict:
    """Generate the spatio-temporal detection flavour (several actors per clip).

    Each actor idles (holds still, no label) around one or two action segments;
    an action segment is a tube of that class in the ACT pickle. AVA rows are
    written at every whole second ``s >= 1`` (keyframe = 0-based frame
    ``s * fps``) for each actor acting at that frame: use ``AVADataset`` with
    ``timestamp_start=0``, ``timestamp_end=num_frames // fps``, ``fps=fps`` and
    ``start_index=1`` on the rawframes.

    Args are as for :func:`generate_classification`, plus ``num_train`` /
    ``num_val`` clips, ``height`` / ``width`` of the frames, ``num_actors``
    ``(min, max)`` actors per clip and ``rawframes`` to also write JPEG frames.
    """
    if not 1 <= num_classes <= len(MOTION_CLASSES):
        raise ValueError(f'num_classes must be in [1, {len(MOTION_CLASSES)}], got {num_classes}')
    meta = dict(version=GENERATOR_VERSION, kind='detection', classes=list(MOTION_CLASSES[:num_classes]), num_train=num_train,
                num_val=num_val, num_frames=num_frames, height=height, width=width, fps=fps,
                num_actors=list(num_actors), seed=seed, rawframes=rawframes)
    if not force and _up_to_date(out_dir, meta):
        print(f'motion demo (detection) in {out_dir} is up to date')
        return meta
    os.makedirs(out_dir, exist_ok=True)
    gt = dict(labels=list(meta['classes']), gttubes={}, nframes={}, resolution={}, train_videos=[[]],
              test_videos=[[]])
    bar = _progress(num_train + num_val, progress)
    for split, count in (('train', num_train), ('val', num_val)):
        rows, proposals = [], {}
        for index in range(count):
            rng = np.random.default_rng(detection_seed(seed, split, index))
            frames, actors = render_detection_clip(rng, num_frames, height, width, num_actors, num_classes)
            video = detection_video_name(split, index)
            write_video(osp.join(out_dir, 'videos', video + '.mp4'), frames, fps)
            if rawframes:
                _write_rawframes(osp.join(out_dir, 'rawframes', video), frames)
            gt['gttubes'][video] = act_tubes(actors, height, width)
            gt['nframes'][video] = num_frames
            gt['resolution'][video] = (height, width)
            (gt['train_videos'] if split == 'train' else gt['test_videos'])[0].append(video)
            video_rows, video_proposals = ava_keyframes(video, actors, height, width, num_frames, fps)
            rows += video_rows
            proposals.update(video_proposals)
            if bar is not None:
                bar.update()
        with open(osp.join(out_dir, f'ava_{split}.csv'), 'w', newline='') as f:
            csv.writer(f).writerows(rows)
        open(osp.join(out_dir, f'ava_{split}_excluded_timestamps.csv'), 'w').close()
        with open(osp.join(out_dir, f'ava_proposals_{split}.pkl'), 'wb') as f:
            pickle.dump(proposals, f)
    if bar is not None:
        print()
    with open(osp.join(out_dir, 'motion_demo-GT.pkl'), 'wb') as f:
        pickle.dump(gt, f)
    write_ava_label_map(osp.join(out_dir, 'action_list.pbtxt'), meta['classes'])
    _write_meta(out_dir, meta)
    return meta


def _write_rawframes(folder: str, frames: np.ndarray, template: str = 'img_{:05d}.jpg') -> None:
    import cv2
    os.makedirs(folder, exist_ok=True)
    for i, frame in enumerate(frames):
        cv2.imwrite(osp.join(folder, template.format(i + 1)), frame[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 95])


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command line of ``tools/data/generate_motion_demo.py``."""
    import argparse
    parser = argparse.ArgumentParser(description='Generate the motion-only demo datasets.')
    parser.add_argument('out_dir', help='output folder (classification/ and detection/ go inside)')
    parser.add_argument('--flavour', choices=('classification', 'detection', 'both', 'classes'), default='both',
                        help="'classes': only the class names (for the online demo's text banks)")
    parser.add_argument('--class-indices', type=int, nargs='+',
                        help="with --flavour classes: these classes, in this order (default: --num-classes)")
    parser.add_argument('--classes-file', default='classes.txt', help='with --flavour classes: file name')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-classes', type=int, default=12)
    parser.add_argument('--train-per-class', type=int, default=40)
    parser.add_argument('--val-per-class', type=int, default=10)
    parser.add_argument('--num-frames', type=int, default=32)
    parser.add_argument('--size', type=int, default=112)
    parser.add_argument('--fps', type=int, default=16)
    parser.add_argument('--det-train', type=int, default=16)
    parser.add_argument('--det-val', type=int, default=8)
    parser.add_argument('--det-num-frames', type=int, default=48)
    parser.add_argument('--det-height', type=int, default=120)
    parser.add_argument('--det-width', type=int, default=160)
    parser.add_argument('--det-fps', type=int, default=8)
    parser.add_argument('--difficulty', choices=list(DIFFICULTIES), default='full',
                        help='rung of the difficulty ladder (classification)')
    parser.add_argument('--rawframes', action='store_true', help='also write JPEG frames (detection)')
    parser.add_argument('--force', action='store_true', help='regenerate even if up to date')
    args = parser.parse_args(argv)
    if args.flavour == 'classes':
        write_class_names(osp.join(args.out_dir, args.classes_file),
                          args.class_indices if args.class_indices else list(range(args.num_classes)))
        return
    if args.flavour in ('classification', 'both'):
        generate_classification(
            osp.join(args.out_dir, 'classification'), args.num_classes, args.train_per_class,
            args.val_per_class, args.num_frames, args.size, args.fps, args.seed, force=args.force,
            difficulty=args.difficulty)
    if args.flavour in ('detection', 'both'):
        generate_detection(
            osp.join(args.out_dir, 'detection'), args.num_classes, args.det_train, args.det_val,
            args.det_num_frames, args.det_height, args.det_width, args.det_fps, seed=args.seed,
            rawframes=args.rawframes, force=args.force)
