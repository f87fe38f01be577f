"""Small fake datasets in the exact on-disk formats the real datasets have once MMAction2 1.2.0's
``tools/data/<dataset>/`` scripts (or the ACT-detector tarballs) have prepared them.

One writer per format, not per dataset:

- :func:`write_video_dataset`: videos plus a ``VideoDataset`` list (``<relative path> <label>`` per line;
  Kinetics, Something-Something V2, Diving48, FineGym, NTU RGB+D videos, ActivityNet, UCF101).
- :func:`write_rawframe_dataset`: frame folders plus a ``RawframeDataset`` list (``<frame dir> <total frames>
  <label>``; Something-Something V1 as released: ``{:05}.jpg`` from 1, and MMAction2's ``img_{:05}.jpg``).
- :func:`write_ava_dataset`: AVA v2.2 as ``tools/data/ava`` leaves it (annotation CSV, excluded timestamps, label
  map, optional person proposals, ``img_{:05}.jpg`` frames at 30 fps of the 15-minute cut).
- :func:`write_act_dataset`: JHMDB51-21 / UCF101-24 as the ACT-detector tarballs hold them (``*-GT.pkl`` with
  labels, gttubes in pixels with 1-based frames, nframes, train / test videos, resolution; frame folders or
  videos).

:func:`fake_entry_name` gives each dataset's file naming (``abseiling/<ytid>_000417_000427.mp4``,
``78687.webm``, ``S001C001P001R001A001.mp4``...), so a config's ``data_prefix`` and list are exercised with names of
the real shape. Frames show a scrolling texture with a moving square: no learnable content, just valid pixels.
Used by the config smoke tests (``tests/configs/test_config_smoke.py``).
"""
import csv
import os
import os.path as osp
import pickle
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from .generate import write_video
from .render import smooth_noise_texture

Label = Union[int, Sequence[int]]


def fake_frames(seed: int, num_frames: int, height: int, width: int) -> np.ndarray:
    """``(T, H, W, 3)`` uint8 frames: a texture scrolling right and a bright square moving down."""
    rng = np.random.default_rng(seed)
    texture = smooth_noise_texture(rng, height, width, cell=max(4, min(height, width) // 6))
    frames = np.empty((num_frames, height, width, 3), np.uint8)
    side = max(4, min(height, width) // 5)
    for t in range(num_frames):
        frame = np.roll(texture, t % width, axis=1)
        frame = (frame * 255).astype(np.uint8)
        top = (t * 2) % max(1, height - side)
        frame[top:top + side, width // 3:width // 3 + side] = 240
        frames[t] = frame
    return frames


def _write_list(ann_file: str, lines: Iterable[str]) -> None:
    os.makedirs(osp.dirname(ann_file) or '.', exist_ok=True)
    with open(ann_file, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def _label_text(label: Label) -> str:
    return ' '.join(str(int(v)) for v in np.atleast_1d(label))


def write_frame_folder(folder: str, frames: np.ndarray, filename_tmpl: str = 'img_{:05}.jpg', start_index: int = 1,
                       indices: Optional[Sequence[int]] = None) -> None:
    """Frames as images named ``filename_tmpl.format(start_index + i)`` (JPEG or PNG by the extension);
    ``indices`` writes only those 0-based frames."""
    import cv2
    os.makedirs(folder, exist_ok=True)
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if filename_tmpl.lower().endswith(('.jpg', '.jpeg')) else []
    for i in (range(len(frames)) if indices is None else indices):
        cv2.imwrite(osp.join(folder, filename_tmpl.format(start_index + i)), frames[i][..., ::-1], params)


def write_video_file(filename: str, frames: np.ndarray, fps: int = 30) -> None:
    """One video; the container and codec follow the extension (``.webm``: VP9 as Something-Something V2,
    ``.avi``: MPEG-4 Part 2 as UCF101, ``.mkv`` / ``.mp4``: H.264)."""
    ext = osp.splitext(filename)[1].lower()
    if ext in ('.mp4', '.mkv'):
        write_video(filename, frames, fps)
        return
    codec = {'.webm': 'libvpx-vp9', '.avi': 'mpeg4'}.get(ext)
    if codec is None:
        raise ValueError(f'{filename}: no fake-video writer for {ext!r} (expected .mp4, .mkv, .webm or .avi)')
    import av
    os.makedirs(osp.dirname(filename) or '.', exist_ok=True)
    _, height, width, _ = frames.shape
    with av.open(filename, 'w') as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
        stream.options = {'threads': '1'}
        for index, frame in enumerate(frames):
            video_frame = av.VideoFrame.from_ndarray(frame, format='rgb24')
            video_frame.pts = index
            container.mux(stream.encode(video_frame))
        container.mux(stream.encode())


def write_video_dataset(ann_file: str, video_root: str, entries: Sequence[Tuple[str, Label]], num_frames: int,
                        size: Tuple[int, int] = (72, 96), fps: int = 30, seed: int = 0) -> List[str]:
    """Videos at ``video_root/<path>`` and the ``VideoDataset`` list ``ann_file`` (``<path> <label ...>``).

    Returns the written video paths. A video that already exists with this content is not rewritten.
    """
    paths = []
    for index, (path, _) in enumerate(entries):
        filename = osp.join(video_root, path)
        if not osp.isfile(filename):
            write_video_file(filename, fake_frames(seed + index, num_frames, *size), fps)
        paths.append(filename)
    _write_list(ann_file, (f'{path} {_label_text(label)}' for path, label in entries))
    return paths


def write_rawframe_dataset(ann_file: str, frame_root: str, entries: Sequence[Tuple[str, Label]], num_frames: int,
                           filename_tmpl: str = 'img_{:05}.jpg', start_index: int = 1,
                           size: Tuple[int, int] = (72, 96), seed: int = 0) -> None:
    """Frame folders ``frame_root/<dir>/`` and the ``RawframeDataset`` list ``<dir> <total frames> <label ...>``."""
    for index, (frame_dir, _) in enumerate(entries):
        folder = osp.join(frame_root, frame_dir)
        if not osp.isdir(folder):
            write_frame_folder(folder, fake_frames(seed + index, num_frames, *size), filename_tmpl, start_index)
    _write_list(ann_file, (f'{frame_dir} {num_frames} {_label_text(label)}' for frame_dir, label in entries))


def write_ava_label_map(label_file: str, num_classes: int) -> None:
    """An AVA ``.pbtxt`` label map (the ``for_activitynet_2019`` layout: ``label { name, label_id, label_type }``)."""
    os.makedirs(osp.dirname(label_file) or '.', exist_ok=True)
    with open(label_file, 'w') as f:
        for label in range(1, num_classes + 1):
            f.write(f'label {{\n  name: "action {label}"\n  label_id: {label}\n  label_type: PERSON_MOVEMENT\n}}\n')


def write_ava_dataset(frame_root: str, ann_file: str, label_file: Optional[str] = None,
                      exclude_file: Optional[str] = None, proposal_file: Optional[str] = None,
                      videos: Sequence[str] = ('-5KQ66BBWC4', ), timestamps: Sequence[int] = (902, 903),
                      num_classes: int = 80, span: int = 72, fps: int = 30, timestamp_start: int = 900,
                      size: Tuple[int, int] = (72, 96), seed: int = 0) -> None:
    """AVA v2.2 as MMAction2 prepares it, for ``videos`` annotated at ``timestamps`` (seconds).

    Annotation rows ``video_id,timestamp,x1,y1,x2,y2,action_id,person_id`` (boxes normalised, action ids 1-based;
    two people per keyframe, the first with two actions); an empty excluded-timestamps CSV; person proposals
    ``{'video,0902': (N, 5) [x1, y1, x2, y2, score]}``; frames ``img_{:05}.jpg`` of the 15-minute cut at ``fps``
    (keyframe of second ``s``: 0-based frame ``fps * (s - timestamp_start)``). Only the ``span`` frames either
    side of each keyframe are written: AVADataset never lists the folder, and SampleAVAFrames reads only those.
    """
    rng = np.random.default_rng(seed)
    rows, proposals = [], {}
    for v, video in enumerate(videos):
        keyframes = [fps * (ts - timestamp_start) for ts in timestamps]
        last = max(keyframes) + span
        frames = fake_frames(seed + v, last + 1, *size)
        needed = sorted({i for k in keyframes for i in range(max(0, k - span), k + span + 1)})
        write_frame_folder(osp.join(frame_root, video), frames, 'img_{:05}.jpg', 1, needed)
        for ts in timestamps:
            boxes = []
            for person in range(2):
                x1, y1 = rng.uniform(0.05, 0.45, 2)
                box = (x1, y1, x1 + rng.uniform(0.2, 0.5), y1 + rng.uniform(0.3, 0.5))
                boxes.append(box)
                actions = rng.choice(np.arange(1, num_classes + 1), size=2 - person, replace=False)
                for action in actions:
                    rows.append([video, f'{ts:04d}', *(f'{c:.3f}' for c in box), int(action), person])
            proposals[f'{video},{ts:04d}'] = np.hstack([np.array(boxes), np.full((2, 1), 0.99)]).astype(np.float32)
    os.makedirs(osp.dirname(ann_file) or '.', exist_ok=True)
    with open(ann_file, 'w', newline='') as f:
        csv.writer(f).writerows(rows)
    if exclude_file:
        open(exclude_file, 'w').close()
    if label_file:
        write_ava_label_map(label_file, num_classes)
    if proposal_file:
        with open(proposal_file, 'wb') as f:
            pickle.dump(proposals, f)


def write_act_dataset(ann_file: str, class_names: Sequence[str], videos: Dict[str, Tuple[int, int, str]],
                      frame_root: Optional[str] = None, filename_tmpl: str = '{:05d}.jpg',
                      video_root: Optional[str] = None, video_ext: str = '.mp4',
                      size: Tuple[int, int] = (120, 160), seed: int = 0) -> dict:
    """An ACT-detector ground-truth pickle (JHMDB-GT.pkl / UCF101v2-GT.pkl) and its frames or videos.

    ``videos`` maps ``'Class/video'`` to ``(num_frames, label, subset)`` (subset ``'train'`` or ``'test'``); each
    video has one actor tube of its label over all its frames, boxes ``[frame, x1, y1, x2, y2]`` in pixels of the
    ``(H, W)`` resolution, frames 1-based. Frames go to ``frame_root/<video>/filename_tmpl`` (1-based), or
    videos to ``video_root/<video><video_ext>``. Returns the annotation dict.
    """
    height, width = size
    gt = dict(labels=list(class_names), gttubes={}, nframes={}, resolution={}, train_videos=[[]], test_videos=[[]])
    for index, (video, (num_frames, label, subset)) in enumerate(sorted(videos.items())):
        frames = fake_frames(seed + index, num_frames, height, width)
        if frame_root is not None:
            write_frame_folder(osp.join(frame_root, video), frames, filename_tmpl, 1)
        if video_root is not None:
            write_video_file(osp.join(video_root, video + video_ext), frames)
        t = np.arange(num_frames, dtype=np.float32)
        x1 = 10 + 2 * t % (width // 2)
        boxes = np.stack([t + 1, x1, np.full_like(t, 20), x1 + width / 3, np.full_like(t, 20 + height / 2)], 1)
        gt['gttubes'][video] = {int(label): [boxes.astype(np.float32)]}
        gt['nframes'][video] = num_frames
        gt['resolution'][video] = (height, width)
        (gt['train_videos'] if subset == 'train' else gt['test_videos'])[0].append(video)
    os.makedirs(osp.dirname(ann_file) or '.', exist_ok=True)
    with open(ann_file, 'wb') as f:
        pickle.dump(gt, f)
    return gt


def fake_entry_name(dataset: str, index: int, label: int, ext: Optional[str] = None) -> str:
    """A list entry named as ``dataset``'s preparation scripts name it (no extension for rawframe folders).

    ``dataset``: ``'kinetics'`` (``<class dir>/<ytid>_<start:06d>_<end:06d>``), ``'sthv1'`` / ``'sthv2'``
    (numeric ids), ``'diving48'`` (``<ytid>_<nnnnn>``), ``'gym'`` (``<ytid>_E_<start>_<end>_A_<a>_<b>``),
    ``'ntu'`` (``S001C001P001R001A<label + 1>``: the label is in the name), ``'activitynet'`` (``v_<ytid>``),
    ``'ucf101'`` (``<Class>/v_<Class>_gXX_cYY``), anything else ``video_<index>``.
    """
    ytid = f'{index:03d}aBcD_e{label % 10}'[:11]
    names = {
        'kinetics': f'class_{label:03d}/{ytid}_{10 * index:06d}_{10 * index + 10:06d}',
        'sthv1': f'{100000 + index}',
        'sthv2': f'{78000 + index}',
        'diving48': f'{ytid}_{index:05d}',
        'gym': f'{ytid}_E_{index:06d}_{index + 28:06d}_A_{index:04d}_{index + 2:04d}',
        'ntu': f'S{1 + index % 17:03d}C{1 + index % 3:03d}P{1 + index:03d}R001A{label + 1:03d}',
        'activitynet': f'v_{ytid}',
        'ucf101': f'Class{label:03d}/v_Class{label:03d}_g{8 + index:02d}_c01',
    }
    name = names.get(dataset, f'video_{index:05d}')
    return name + (ext or '')


__all__ = [
    'fake_entry_name', 'fake_frames', 'write_act_dataset', 'write_ava_dataset', 'write_ava_label_map',
    'write_frame_folder', 'write_rawframe_dataset', 'write_video_dataset', 'write_video_file'
]
