"""Checks of a tube-detection dataset (ACT ground truth + videos or frame folders) before any training.

A dataset with wrong class indices, boxes in another resolution or missing frames trains without complaint and
evaluates to a mAP of 0. :func:`check_act_dataset` reads the annotation as the configured
:class:`ActionTubeDataset` would (same file, split and subset, same video paths) and reports every problem it
finds, each named with the video and frame, instead of stopping at the first one.
"""
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np

from ..fileio import load_pickle_safely
from .act_annotations import ACT_KEYS


@dataclass
class Finding:
    """One problem: ``level`` is ``'error'`` (training or evaluation on it is wrong) or ``'warning'`` (worth a
    look); ``check`` names the check; ``video`` / ``frame`` (1-based, as the annotation) locate it."""
    level: str
    check: str
    message: str
    video: Optional[str] = None
    frame: Optional[int] = None

    def __str__(self) -> str:
        where = ''.join([f' video {self.video}' if self.video is not None else '',
                         f' frame {self.frame}' if self.frame is not None else ''])
        return f'{self.level.upper()} [{self.check}]{where}: {self.message}'


@dataclass
class CheckReport:
    """Every finding, plus counts: ``videos`` checked, ``frames`` in them, ``frames_with_actors``."""
    findings: List[Finding] = field(default_factory=list)
    videos: int = 0
    frames: int = 0
    frames_with_actors: int = 0

    @property
    def errors(self) -> List[Finding]:
        return [f for f in self.findings if f.level == 'error']

    @property
    def warnings(self) -> List[Finding]:
        return [f for f in self.findings if f.level == 'warning']

    def add(self, level, check, message, video=None, frame=None):
        self.findings.append(Finding(level, check, message, video, frame))


def _data_prefix(dataset_cfg: dict) -> dict:
    """The dataset's ``data_prefix`` (default ``dict(img='')``, as ``ActionTubeDataset``); exactly one of ``img``
    (frame folders) and ``video``, or the error the dataset would raise, said before any check."""
    prefix = dataset_cfg.get('data_prefix') or dict(img='')
    if not hasattr(prefix, 'keys') or ('img' in prefix) == ('video' in prefix):
        raise ValueError(f"data_prefix must be dict(img=<frame folders>) or dict(video=<video folder>), got {prefix!r}")
    return prefix


def _video_path(dataset_cfg: dict, video: str) -> str:
    prefix = _data_prefix(dataset_cfg)
    if 'img' in prefix:
        return osp.join(prefix['img'], video)
    return osp.join(prefix['video'], video + dataset_cfg.get('suffix', '.mp4'))


def _decoded_frames(dataset_cfg: dict, path: str):
    """``(frame count, (h, w))`` of a video file or a frame folder as the dataset reads it (for frames: the
    consecutive ``filename_tmpl`` files from ``start_index``); the size is None without frames."""
    if 'img' in _data_prefix(dataset_cfg):
        import cv2
        template = dataset_cfg.get('filename_tmpl', '{:05d}.jpg')
        start = dataset_cfg.get('start_index', 1)
        names = set(os.listdir(path))
        count = 0
        while template.format(start + count) in names:
            count += 1
        first = cv2.imread(osp.join(path, template.format(start))) if count else None
        return count, (first.shape[:2] if first is not None else None)
    from .transforms.video_reader import open_video
    reader = open_video(path)
    frames = len(reader)
    return frames, (tuple(reader.get_batch([0]).shape[1:3]) if frames else None)


def check_act_dataset(dataset_cfg: dict, num_classes: Optional[int] = None, decode: bool = True,
                      progress: bool = False) -> CheckReport:
    """Check the ACT-format tube dataset ``dataset_cfg`` (an :class:`ActionTubeDataset` config).

    Args:
        dataset_cfg (dict): ``ann_file``, ``data_prefix``, ``split`` / ``subset`` / ``test_mode``,
            ``filename_tmpl`` / ``suffix`` / ``start_index`` as the dataset takes them.
        num_classes (int | None): The model's class count, compared with the label map.
        decode (bool): Open every video (or frame folder) to compare its frames and size with the annotation.
        progress (bool): A progress bar over the videos.

    Checks: the annotation's keys; class indices against the label map and ``num_classes`` (a background class or
    1-based labels); videos of the split without frame counts or resolutions; tube frames outside the video;
    boxes with zero or negative area or outside the annotated frame; tubes with gaps or repeated frames; videos
    or frames referenced but missing; annotated resolution against the decoded frames; the share of frames
    without actors.
    """
    report = CheckReport()
    ann_file = dataset_cfg['ann_file']
    _data_prefix(dataset_cfg)  # a data_prefix the dataset would refuse: one clear error before any check
    annos = load_pickle_safely(ann_file, encoding='latin1')
    if not isinstance(annos, dict) or any(key not in annos for key in ACT_KEYS):
        found = sorted(annos) if isinstance(annos, dict) else type(annos).__name__
        report.add('error', 'format', f'{ann_file}: expected an ACT dict with keys {ACT_KEYS}, got {found}')
        return report
    labels = list(annos['labels'])
    _check_classes(report, annos, labels, num_classes)
    subset = dataset_cfg.get('subset') or ('test' if dataset_cfg.get('test_mode') else 'train')
    split = dataset_cfg.get('split', 1)
    lists = annos[f'{subset}_videos']
    if not 1 <= split <= len(lists):
        report.add('error', 'split', f'{ann_file}: split {split} requested, the file has {len(lists)} {subset} '
                   'split(s)')
        return report
    videos = list(lists[split - 1])
    if progress:
        from tqdm import tqdm
        videos = tqdm(videos, desc=f'checking {subset} videos', unit='video')
    for video in videos:
        _check_video(report, dataset_cfg, annos, video, decode)
    if report.frames and report.frames_with_actors == 0:
        report.add('error', 'actors', f'no frame of the {subset} split has an actor: nothing to train or evaluate')
    return report


def _check_classes(report, annos, labels, num_classes):
    used = sorted({int(label) for tubes in annos['gttubes'].values() for label in tubes})
    outside = [label for label in used if not 0 <= label < len(labels)]
    for video, tubes in annos['gttubes'].items():
        for label in tubes:
            if not 0 <= int(label) < len(labels):
                report.add('error', 'classes', f'class index {label} outside the label map\'s 0-{len(labels) - 1} '
                           f'({len(labels)} classes)', video)
    if outside and used and min(used) >= 1 and max(used) == len(labels):
        report.add('error', 'classes', f'class indices run 1-{len(labels)}: 1-based (off by one); the ACT format '
                   'and the models count from 0')
    if num_classes is not None and num_classes != len(labels):
        hint = (' (one more: a background class? the tube detectors and metrics take the foreground classes only)'
                if num_classes == len(labels) + 1 else '')
        report.add('error', 'classes', f'the model has num_classes={num_classes}, the label map {len(labels)} '
                   f'classes{hint}')


def _check_video(report: CheckReport, dataset_cfg, annos, video, decode):
    report.videos += 1
    missing_keys = [key for key in ('nframes', 'resolution') if video not in annos[key]]
    for key in missing_keys:
        report.add('error', 'annotation', f'listed in the split but has no {key!r} entry', video)
    if missing_keys:
        return
    num_frames = int(annos['nframes'][video])
    height, width = (int(v) for v in annos['resolution'][video])
    report.frames += num_frames
    with_actors = set()
    tubes = annos['gttubes'].get(video, {})
    if not tubes:
        report.add('warning', 'actors', 'no tube: every frame is background', video)
    for label, tube_list in sorted(tubes.items()):
        for index, tube in enumerate(tube_list):
            tube = np.asarray(tube, np.float64)
            name = f'class {label} tube {index}'
            if tube.ndim != 2 or tube.shape[1] != 5:
                report.add('error', 'annotation', f'{name} has shape {tube.shape}, expected (n, 5) rows of frame, '
                           'x1, y1, x2, y2', video)
                continue
            frames = tube[:, 0].astype(np.int64)
            for row, frame in zip(tube, frames):
                _check_box(report, row[1:], frame, name, video, height, width, num_frames)
            with_actors.update(int(f) for f in frames if 1 <= f <= num_frames)
            ordered = np.unique(frames)
            repeated = np.sort(frames)[1:][np.diff(np.sort(frames)) == 0]
            if len(repeated):
                report.add('error', 'tubes', f'{name} annotates {len(repeated)} frame(s) twice', video, int(repeated[0]))
            gaps = np.flatnonzero(np.diff(ordered) > 1)
            for gap in gaps:
                report.add('warning', 'tubes', f'{name} has a gap: frames {ordered[gap] + 1}-{ordered[gap + 1] - 1} '
                           'unannotated inside the tube (background there)', video, int(ordered[gap] + 1))
    report.frames_with_actors += len(with_actors)
    if decode:
        _check_media(report, dataset_cfg, video, num_frames, (height, width))


def _check_box(report, box, frame, name, video, height, width, num_frames):
    if not 1 <= frame <= num_frames:
        report.add('error', 'frames', f'{name} annotates frame {frame} outside the video\'s 1-{num_frames}', video,
                   int(frame))
        return
    x1, y1, x2, y2 = box
    if not np.isfinite(box).all():
        report.add('error', 'boxes', f'{name}: non-finite box {box.tolist()}', video, int(frame))
    elif x2 <= x1 or y2 <= y1:
        report.add('error', 'boxes', f'{name}: box {np.round(box, 2).tolist()} has zero or negative area', video,
                   int(frame))
    elif x1 < -1 or y1 < -1 or x2 > width + 1 or y2 > height + 1:
        report.add('error', 'boxes', f'{name}: box {np.round(box, 2).tolist()} reaches outside the {width}x{height} '
                   'frame of the annotation\'s resolution', video, int(frame))


def _check_media(report, dataset_cfg, video, num_frames, resolution):
    from .transforms.video_reader import VideoDecodeError
    path = _video_path(dataset_cfg, video)
    if not osp.exists(path):
        report.add('error', 'media', f'{path} not found', video)
        return
    try:
        frames, size = _decoded_frames(dataset_cfg, path)
    except (VideoDecodeError, OSError) as error:
        report.add('error', 'media', f'{path} cannot be read: {error}', video)
        return
    if frames < num_frames:
        report.add('error', 'media', f'the annotation has {num_frames} frames, {path} {frames}: frames '
                   f'{frames + 1}-{num_frames} are referenced but missing', video, frames + 1)
    elif frames > num_frames:
        report.add('warning', 'media', f'{path} has {frames} frames, the annotation {num_frames}: the last '
                   f'{frames - num_frames} are never read', video)
    if size is not None and tuple(size) != tuple(resolution):
        report.add('error', 'resolution', f'annotated resolution {resolution[1]}x{resolution[0]} (w x h), decoded '
                   f'frames {size[1]}x{size[0]}: boxes are rescaled from the annotated one, so they land in the '
                   'wrong place if it is not the resolution the boxes were drawn in', video)


def check_ava_dataset(dataset_cfg: dict, pipeline_sampler: Optional[dict] = None, decode: bool = True,
                      progress: bool = False) -> CheckReport:
    """Check an AVA-format keyframe dataset (MMAction2's ``AVADataset`` config: CSV rows ``video, second, x1, y1,
    x2, y2, label, person``) as ``AVADataset`` reads it.

    Args:
        dataset_cfg (dict): ``ann_file``, ``label_file``, ``num_classes`` (with background), ``custom_classes``,
            ``proposal_file``, ``data_prefix``, ``filename_tmpl``, ``start_index``, ``timestamp_start`` / ``_end``,
            ``fps``.
        pipeline_sampler (dict | None): The pipeline's ``SampleAVAFrames`` step: which frames a keyframe's clip
            reads (default: the keyframe alone).
        decode (bool): Look for every frame the clips read.

    Checks: malformed rows; class ids against ``num_classes`` (0 is the background, ids run 1..num_classes-1), the
    label file and ``custom_classes``; boxes not normalised to [0, 1] or with zero area; keyframes outside
    ``timestamp_start``..``timestamp_end``; keyframes missing from the proposal file; frames the clips read that
    are missing; a person whose keyframes have a gap (a warning); the share of keyframes without actors.
    """
    from mmaction.datasets.transforms import SampleAVAFrames
    from mmaction.evaluation.functional.ava_utils import read_labelmap
    report = CheckReport()
    ann_file = dataset_cfg['ann_file']
    num_classes = dataset_cfg.get('num_classes', 81)
    start, end = dataset_cfg.get('timestamp_start', 900), dataset_cfg.get('timestamp_end', 1800)
    fps, start_index = dataset_cfg.get('fps', 30), dataset_cfg.get('start_index', 1)
    label_ids = None
    if dataset_cfg.get('label_file'):
        with open(dataset_cfg['label_file']) as stream:
            label_ids = read_labelmap(stream)[1]
    custom = dataset_cfg.get('custom_classes')
    if label_ids and max(label_ids) >= num_classes:
        report.add('error', 'classes', f'the label file has class id {max(label_ids)}, num_classes={num_classes} '
                   f'allows 1-{num_classes - 1}')
    if custom is not None and num_classes != len(custom) + 1:
        report.add('error', 'classes', f'num_classes={num_classes} with {len(custom)} custom_classes: AVADataset '
                   f'needs len(custom_classes) + 1 = {len(custom) + 1} (the background)')
    keyframes: Dict[str, Dict[int, set]] = {}
    dropped = 0
    with open(ann_file) as stream:
        rows = [line.strip() for line in stream if line.strip()]
    for number, line in enumerate(rows, 1):
        fields = line.split(',')
        where = f'{osp.basename(ann_file)} line {number}'
        try:
            video, second = fields[0], int(fields[1])
            box, label, person = np.array(fields[2:6], np.float64), int(fields[6]), int(fields[7])
        except (IndexError, ValueError):
            report.add('error', 'format', f'{where}: expected video,second,x1,y1,x2,y2,label,person, got {line!r}')
            continue
        frame = fps * (second - start) + start_index
        keyframes.setdefault(video, {}).setdefault(second, set()).add(person)
        if custom is not None and label not in custom:
            dropped += 1  # AVADataset drops it
            continue
        if not 1 <= label < num_classes and custom is None:
            report.add('error', 'classes', f'{where}: class id {label} outside 1-{num_classes - 1} (num_classes='
                       f'{num_classes} counts the background 0)', video, frame)
        if label_ids is not None and label not in label_ids:
            report.add('error', 'classes', f'{where}: class id {label} is not in the label file (AVAMetric scores '
                       'only its classes)', video, frame)
        if not np.isfinite(box).all() or box.min() < 0 or box.max() > 1:
            report.add('error', 'boxes', f'{where}: box {box.tolist()} is not normalised to [0, 1] (pixels?)', video,
                       frame)
        elif box[2] <= box[0] or box[3] <= box[1]:
            report.add('error', 'boxes', f'{where}: box {box.tolist()} has zero or negative area', video, frame)
        if not start <= second < end:
            report.add('error', 'frames', f'{where}: second {second} outside timestamp_start..timestamp_end '
                       f'({start}-{end})', video, frame)
    if dropped:
        report.add('warning', 'classes', f'{dropped} row(s) with classes outside custom_classes are dropped')
    if dataset_cfg.get('proposal_file'):
        proposals = load_pickle_safely(dataset_cfg['proposal_file'])
        for video, seconds in keyframes.items():
            for second in sorted(seconds):
                if f'{video},{second:04d}' not in proposals:
                    report.add('error', 'proposals', f'keyframe {video},{second:04d} has no proposals in '
                               f'{dataset_cfg["proposal_file"]}', video, fps * (second - start) + start_index)
    sampler = SampleAVAFrames(**{k: v for k, v in (pipeline_sampler or dict(clip_len=1, frame_interval=1)).items()
                                 if k not in ('type', 'test_mode')}, test_mode=True)
    videos = sorted(keyframes)
    if progress:
        from tqdm import tqdm
        videos = tqdm(videos, desc='checking keyframes', unit='video')
    for video in videos:
        seconds = keyframes[video]
        report.videos += 1
        report.frames += end - start
        report.frames_with_actors += sum(1 for s in seconds if start <= s < end)
        for person in sorted(set().union(*seconds.values())):
            present = sorted(s for s, people in seconds.items() if person in people)
            for before, after in zip(present, present[1:]):
                if after - before > 1:
                    report.add('warning', 'tubes', f'person {person} is unannotated at seconds {before + 1}-{after - 1} '
                               'between its keyframes', video, fps * (before + 1 - start) + start_index)
        if decode:
            _check_ava_frames(report, dataset_cfg, sampler, video, sorted(seconds), (start, end, fps, start_index))
    return report


def _check_ava_frames(report, dataset_cfg, sampler, video, seconds, timing):
    """Every frame the clips of ``video``'s keyframes read (``SampleAVAFrames`` itself picks them) must exist."""
    start, end, fps, start_index = timing
    folder = osp.join((dataset_cfg.get('data_prefix') or {}).get('img') or '', video)
    if not osp.isdir(folder):
        report.add('error', 'media', f'frame folder {folder} not found', video)
        return
    names = set(os.listdir(folder))
    template = dataset_cfg.get('filename_tmpl', 'img_{:05}.jpg')
    missing = set()
    for second in seconds:
        results = sampler.transform(dict(fps=fps, timestamp=second, timestamp_start=start, start_index=start_index,
                                         shot_info=(0, (end - start) * fps)))
        missing.update(int(i) for i in results['frame_inds'] if template.format(int(i)) not in names)
    if missing:
        first = min(missing)
        report.add('error', 'media', f'{len(missing)} frame(s) the keyframe clips read are missing from {folder}, '
                   f'the first {template.format(first)}', video, first)


def print_findings(report: CheckReport, show: int = 20) -> None:
    """Print each check's first ``show`` findings and how many more there are (the checker tools' output)."""
    shown = {}
    for finding in report.findings:
        shown[finding.check] = shown.get(finding.check, 0) + 1
        if shown[finding.check] <= show:
            print(finding)
    for check, count in shown.items():
        if count > show:
            print(f'... {count - show} more [{check}] finding(s)')


def summary(report: CheckReport) -> Dict[str, float]:
    """Counts for the report's last lines."""
    return dict(videos=report.videos, frames=report.frames, errors=len(report.errors),
                warnings=len(report.warnings),
                frames_without_actors=(1 - report.frames_with_actors / report.frames) if report.frames else 0.0)


__all__ = ['Finding', 'CheckReport', 'check_act_dataset', 'check_ava_dataset', 'print_findings', 'summary']
