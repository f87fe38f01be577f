"""The ACT-detector ground-truth format: reading and checking it, and converting other formats to it.

ACT format (``JHMDB-GT.pkl`` / ``UCF101v2-GT.pkl``): ``labels`` (class names), ``gttubes {video:
{label: [(n, 5) float32 frame, x1, y1, x2, y2]}}`` with 1-based frames, ``nframes {video: n}``,
``train_videos`` / ``test_videos`` (one list per split) and ``resolution {video: (h, w)}``.
"""
import glob
import os.path as osp
import warnings
import zipfile
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..fileio import load_pickle_safely

ACT_KEYS = ('labels', 'gttubes', 'nframes', 'train_videos', 'test_videos', 'resolution')


def load_act_annotations(ann_file: str) -> dict:
    """Read and check an ACT-format ground-truth pickle (``JHMDB-GT.pkl``, ``UCF101v2-GT.pkl``).

    The pickles are plain dicts of lists, numpy arrays and numbers; they are read with an allow-list
    of those types only (no other pickled object is ever imported) and ``encoding='latin1'``, as the
    Python-2 originals need.
    """
    if not osp.isfile(ann_file):
        raise FileNotFoundError(f'ACT annotation file not found: {ann_file}')
    annos = load_pickle_safely(ann_file, encoding='latin1')
    if not isinstance(annos, dict):
        raise ValueError(f'{ann_file}: expected a dict with keys {ACT_KEYS}, got {type(annos).__name__}')
    missing = [key for key in ACT_KEYS if key not in annos]
    if missing:
        raise ValueError(f'{ann_file}: missing ACT keys {missing} (has {sorted(annos)})')
    num_classes = len(annos['labels'])
    for video, tubes in annos['gttubes'].items():
        if video not in annos['nframes']:
            raise ValueError(f'{ann_file}: video {video!r} has tubes but no nframes entry')
        for label, tube_list in tubes.items():
            if not 0 <= int(label) < num_classes:
                raise ValueError(f'{ann_file}: video {video!r} has label {label} outside [0, {num_classes})')
            for tube in tube_list:
                tube = np.asarray(tube)
                if tube.ndim != 2 or tube.shape[1] != 5:
                    raise ValueError(f'{ann_file}: video {video!r} label {label}: tube of shape {tube.shape}, '
                                     'expected (n, 5) rows of frame, x1, y1, x2, y2')
    return annos


UCF24_RESOLUTION = (240, 320)
JHMDB_RESOLUTION = (240, 320)


def convert_ucf24_pyannot(pyannot_file: str, test_list: Optional[str] = None) -> dict:
    """Convert the corrected UCF101-24 annotations (``pyannot_with_class_names.pkl`` of
    gurkirt/corrected-UCF101-Annots) to the ACT format.

    Each annotation ``{sf, ef, label, boxes}`` covers the 0-based frames ``sf .. ef - 1``, i.e. the
    1-based frames ``sf + 1 .. ef``; ``boxes`` are ``x, y, w, h`` stored as uint8 / uint16, so they are
    cast to float before ``x2 = x + w`` (uint8 sums wrap around at 256). Train videos are the file's
    ``trainvideos`` that have annotations (the others are named in a
    warning); test videos are ``test_list`` (``testlist01.txt``) or, without it, every other video.

    Raises:
        ValueError: naming the video, for inconsistent annotations (box count != ``ef - sf``,
            frames past ``numf``, unknown labels).
    """
    source = load_pickle_safely(pyannot_file, encoding='latin1')
    for key in ('db', 'trainvideos', 'classes'):
        if key not in source:
            raise ValueError(f'{pyannot_file}: missing key {key!r} (has {sorted(source)})')
    classes = list(source['classes'])
    gttubes, nframes = {}, {}
    for video, entry in sorted(source['db'].items()):
        num_frames = int(entry['numf'])
        nframes[video] = num_frames
        tubes: Dict[int, List[np.ndarray]] = {}
        for anno in entry['annotations']:
            start, end, label = int(anno['sf']), int(anno['ef']), int(anno['label'])
            xywh = np.asarray(anno['boxes']).astype(np.float32)
            if not 0 <= label < len(classes):
                raise ValueError(f'{pyannot_file}: video {video!r} has label {label} outside [0, {len(classes)})')
            if xywh.shape != (end - start, 4):
                raise ValueError(f'{pyannot_file}: video {video!r}: {xywh.shape[0]} boxes for frames sf={start} '
                                 f'.. ef={end}')
            if start < 0 or end > num_frames:
                raise ValueError(f'{pyannot_file}: video {video!r}: frames {start}..{end} outside numf={num_frames}')
            tube = np.empty((end - start, 5), np.float32)
            tube[:, 0] = np.arange(start + 1, end + 1)
            tube[:, 1:3] = xywh[:, :2]
            tube[:, 3:5] = xywh[:, :2] + xywh[:, 2:]
            tubes.setdefault(label, []).append(tube)
        gttubes[video] = tubes
    train = [v for v in source['trainvideos'] if v in gttubes]
    unannotated = [v for v in source['trainvideos'] if v not in gttubes]
    if unannotated:
        # The corrected annotations list 6 training videos they have no entry for; say so, keep the rest.
        warnings.warn(f'{pyannot_file}: {len(unannotated)} of the listed training videos have no annotations '
                      f'and are left out: {unannotated}')
    if test_list is not None:
        with open(test_list) as f:
            test = [line.strip().split()[0] for line in f if line.strip()]
        unknown = [v for v in test if v not in gttubes]
        if unknown:
            raise ValueError(f'{test_list}: {len(unknown)} videos without annotations, e.g. {unknown[:3]}')
    else:
        train_set = set(train)
        test = [v for v in gttubes if v not in train_set]
    return dict(labels=classes, gttubes=gttubes, nframes=nframes, train_videos=[train], test_videos=[test],
                resolution={video: UCF24_RESOLUTION for video in gttubes})


def read_per_frame_gt(source: str, classes: Sequence[str], resolution=JHMDB_RESOLUTION) -> dict:
    """Build ACT-format test ground truth from per-frame text files (YOWO's ``groundtruths_jhmdb``:
    one ``<video>_<frame>.txt`` per annotated frame holding ``<class 1..C> x1 y1 x2 y2`` lines).

    ``source`` is the folder or a zip of it. Consecutive frames of one video and class form one
    tube (a gap starts a new tube); ``nframes`` is the last annotated frame.
    """
    boxes: Dict[str, Dict[int, Dict[int, List[float]]]] = {}

    def add(name: str, text: str):
        stem = osp.splitext(osp.basename(name))[0]
        video, _, frame = stem.rpartition('_')
        if not video or not frame.isdigit():
            raise ValueError(f'{source}: cannot read video and frame from file name {name!r}')
        for line_no, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            values = line.split()
            if len(values) != 5:
                raise ValueError(f'{source}:{name}:{line_no}: expected "class x1 y1 x2 y2", got {line!r}')
            label = int(float(values[0])) - 1
            if not 0 <= label < len(classes):
                raise ValueError(f'{source}:{name}:{line_no}: class {label + 1} outside 1..{len(classes)}')
            boxes.setdefault(video, {}).setdefault(label, {})[int(frame)] = [float(v) for v in values[1:]]

    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            for name in archive.namelist():
                if name.endswith('.txt'):
                    add(name, archive.read(name).decode())
    elif osp.isdir(source):
        for name in sorted(glob.glob(osp.join(source, '**', '*.txt'), recursive=True)):
            with open(name) as f:
                add(name, f.read())
    else:
        raise FileNotFoundError(f'per-frame ground truth not found (folder or zip): {source}')
    gttubes, nframes = {}, {}
    for video, per_label in sorted(boxes.items()):
        gttubes[video] = {}
        for label, per_frame in per_label.items():
            frames = np.array(sorted(per_frame))
            for run in np.split(frames, np.flatnonzero(np.diff(frames) != 1) + 1):
                tube = np.array([[f, *per_frame[f]] for f in run], np.float32)
                gttubes[video].setdefault(label, []).append(tube)
        nframes[video] = int(max(max(f) for f in per_label.values()))
    videos = sorted(gttubes)
    return dict(labels=list(classes), gttubes=gttubes, nframes=nframes, train_videos=[[]], test_videos=[videos],
                resolution={video: tuple(resolution) for video in videos})
