"""Checks of a classification dataset (an MMAction2 video or rawframe list) before any training.

A list line pointing at a missing file stops a run hours in; a label outside ``num_classes`` or a frame count
larger than the folder holds fails deep inside a worker, and a video shorter than the clip the sampler takes
trains on repeated frames without a word. :func:`check_classification_dataset` reads the list as the configured
``VideoDataset`` / ``RawframeDataset`` (or the repeated-augmentation variants) would and reports every problem,
each named with the list line and the file.
"""
import os
import os.path as osp
from typing import Dict, Optional, Sequence

from .detection_data_check import CheckReport

VIDEO_DATASETS = ('VideoDataset', 'RepeatAugDataset', 'RepeatAugVideoDataset')
RAWFRAME_DATASETS = ('RawframeDataset', 'RepeatAugRawframeDataset')


def frames_needed(pipeline: Sequence[dict]) -> Optional[int]:
    """Frames one clip of the pipeline's sampler spans (``SampleFrames``: ``clip_len * frame_interval``;
    ``UniformSample``: ``clip_len``), or None without a sampler."""
    for step in pipeline:
        if step.get('type') in ('SampleFrames', 'DenseSampleFrames'):
            return int(step['clip_len']) * int(step.get('frame_interval', 1) or 1)
        if step.get('type') == 'UniformSample':
            return int(step['clip_len'])
    return None


def _parse_line(line: str, rawframes: bool, with_offset: bool, delimiter: Optional[str]):
    """``(path, total_frames or None, labels)`` of one list line, or a message saying what is wrong."""
    fields = line.split(delimiter) if delimiter else line.split()
    first_label = (3 if with_offset else 2) if rawframes else 1
    if len(fields) <= first_label:
        need = ('<dir> <offset> <frames> <label>' if with_offset else '<dir> <frames> <label>') if rawframes \
            else '<path> <label>'
        return f'expected "{need}", got {len(fields)} field(s): {line!r}'
    try:
        labels = [int(v) for v in fields[first_label:]]
        total = int(fields[first_label - 1]) if rawframes else None
    except ValueError:
        return f'non-integer frame count or label in {line!r}'
    return fields[0], total, labels


def _frame_count(folder: str, template: str, start: int) -> int:
    """Consecutive ``template`` files from ``start`` in ``folder``."""
    names = set(os.listdir(folder))
    count = 0
    while template.format(start + count) in names:
        count += 1
    return count


def check_classification_dataset(dataset_cfg: Dict, num_classes: Optional[int] = None, decode: bool = True,
                                 progress: bool = False) -> CheckReport:
    """Check the list of a ``VideoDataset`` / ``RawframeDataset`` config as the dataset reads it.

    Args:
        dataset_cfg (dict): ``type``, ``ann_file``, ``data_prefix``, ``pipeline`` (its sampler gives the frames a
            clip needs), ``delimiter``, and for frames ``filename_tmpl`` / ``start_index`` / ``with_offset``.
        num_classes (int | None): The model's class count: labels must lie in ``[0, num_classes)``.
        decode (bool): Open every video (frame count, first and last frame decoded) or list every frame folder.
        progress (bool): A progress bar over the entries.

    Findings (each names the list line and the file): malformed lines; labels outside ``num_classes``; videos or
    frame folders missing; videos that do not open or decode; frame folders where ``filename_tmpl`` matches no
    file, or holding fewer frames than the list says (errors); clips longer than the video (a warning: MMAction2's
    samplers then repeat frames).
    """
    report = CheckReport()
    kind = dataset_cfg.get('type')
    if kind not in VIDEO_DATASETS + RAWFRAME_DATASETS:
        raise ValueError(f'check_classification_dataset: {kind} is not one of {VIDEO_DATASETS + RAWFRAME_DATASETS}')
    rawframes = kind in RAWFRAME_DATASETS
    ann_file = dataset_cfg['ann_file']
    if not osp.isfile(ann_file):
        report.add('error', 'missing list', f'{ann_file} does not exist')
        return report
    prefix = (dataset_cfg.get('data_prefix') or {}).get('img' if rawframes else 'video', '') or ''
    template = dataset_cfg.get('filename_tmpl', 'img_{:05}.jpg')
    start = dataset_cfg.get('start_index', 1 if rawframes else 0)
    needed = frames_needed(dataset_cfg.get('pipeline', []))
    with open(ann_file) as f:
        lines = [(number, line.strip()) for number, line in enumerate(f, 1) if line.strip()]
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(lines), desc=osp.basename(ann_file), unit='entry')
    for number, line in lines:
        where = f'{ann_file}:{number}'
        if bar is not None:
            bar.update()
        parsed = _parse_line(line, rawframes, dataset_cfg.get('with_offset', False), dataset_cfg.get('delimiter'))
        if isinstance(parsed, str):
            report.add('error', 'malformed line', parsed, video=where)
            continue
        path, listed_frames, labels = parsed
        report.videos += 1
        if num_classes is not None:
            bad = [label for label in labels if not 0 <= label < num_classes]
            if bad:
                report.add('error', 'label', f'label(s) {bad} outside [0, {num_classes}) (num_classes of the model)',
                           video=where)
        full = osp.join(prefix, path)
        if rawframes:
            if not osp.isdir(full):
                report.add('error', 'missing', f'frame folder {full} does not exist', video=where)
                continue
            if not decode:
                continue
            found = _frame_count(full, template, start)
            report.frames += found
            if found == 0:
                sample = sorted(os.listdir(full))[:1]
                report.add('error', 'template', f'{full}: filename_tmpl {template!r} from {start} matches no file '
                           f'(the folder holds e.g. {sample or "nothing"})', video=where)
            elif found < listed_frames:
                report.add('error', 'frame count', f'{full}: the list says {listed_frames} frames, '
                           f'{template.format(start)}.. holds {found}: the samplers would read missing frames',
                           video=where)
            available = min(found, listed_frames)
        else:
            if not osp.isfile(full):
                report.add('error', 'missing', f'video {full} does not exist', video=where)
                continue
            if not decode:
                continue
            from .transforms.video_reader import open_video
            try:
                reader = open_video(full)
                available = len(reader)
                if available < 1:
                    raise RuntimeError('no frames')
                reader.get_batch([0, available - 1])
            except Exception as error:  # noqa: BLE001 (any backend failure is this entry's finding)
                report.add('error', 'decode', f'{full} does not decode: {error}', video=where)
                continue
            report.frames += available
        if needed is not None and available < needed:
            report.add('warning', 'short', f'{full}: {available} frames, the sampler spans {needed}: frames repeat',
                       video=where)
    if bar is not None:
        bar.close()
    return report


__all__ = ['check_classification_dataset', 'frames_needed']
