"""Action-tube datasets (JHMDB51-21, UCF101-24) read from ACT-detector ground-truth pickles.

One sample is a clip of ``clip_len`` frames. For every actor (ground-truth tube) that appears in
the clip it carries the per-frame box and per-frame label, with label ``-1`` (background) and a zero
box where the tube is absent. Frames added to pad a clip repeat the nearest real frame and are
flagged in ``frame_valid`` so that they never count in training targets or evaluation.
"""
import os.path as osp
from typing import Callable, List, Optional, Sequence, Tuple, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS

from ..structures import clip_tubes_from_tracks
from .act_annotations import load_act_annotations

def clip_frame_ids(num_frames: int, clip_len: int, sampling: str) -> List[Tuple[np.ndarray, np.ndarray]]:
    """The 1-based frame numbers of every clip of a video and which of them are real (not padding).

    ``'whole'``: one clip; a shorter video is centre-padded by repeating its first and last frames.
    ``'sliding'``: non-overlapping clips from frame 1; the last one repeats the video's last frame.
    ``'centred'``: CSA's UCF101-24 grid (released code): ``ceil(N / clip_len)`` non-overlapping clips centred on
    the video, ``P = clip_len - N % clip_len`` padding frames split ``floor(P / 2)`` before the first clip and the
    rest after the last one. As in that code, ``P = clip_len`` when ``N`` is a multiple of ``clip_len``: the grid
    then starts ``clip_len / 2`` frames before the video and its last ``clip_len / 2`` frames are in no clip.

    Returns:
        list: one ``(frame_ids, valid)`` pair of ``(clip_len, )`` arrays per clip.
    """
    if num_frames < 1:
        raise ValueError(f'a video needs at least one frame, got {num_frames}')
    frames = np.arange(1, num_frames + 1)
    if sampling == 'whole':
        if num_frames > clip_len:
            raise ValueError(f"sampling='whole' keeps the video as one clip, but it has {num_frames} frames "
                             f"> clip_len={clip_len}; use sampling='sliding' or a larger clip_len")
        before = (clip_len - num_frames) // 2
        after = clip_len - num_frames - before
        ids = np.concatenate([np.full(before, 1), frames, np.full(after, num_frames)])
        valid = np.concatenate([np.zeros(before, bool), np.ones(num_frames, bool), np.zeros(after, bool)])
        return [(ids, valid)]
    if sampling == 'sliding':
        clips = []
        for start in range(0, num_frames, clip_len):
            clip = frames[start:start + clip_len]
            pad = clip_len - len(clip)
            clips.append((np.concatenate([clip, np.full(pad, num_frames)]),
                          np.concatenate([np.ones(len(clip), bool), np.zeros(pad, bool)])))
        return clips
    if sampling == 'centred':
        front = (clip_len - num_frames % clip_len) // 2
        clips = []
        for index in range(-(-num_frames // clip_len)):
            ids = np.arange(index * clip_len - front + 1, (index + 1) * clip_len - front + 1)
            valid = (ids >= 1) & (ids <= num_frames)
            clips.append((np.clip(ids, 1, num_frames), valid))
        return clips
    raise ValueError(f"unknown sampling {sampling!r}; expected 'whole', 'sliding' or 'centred'")


@DATASETS.register_module()
class ActionTubeDataset(BaseActionDataset):
    """Spatio-temporal action detection clips from an ACT ground-truth pickle.

    Args:
        ann_file (str): ACT pickle: ``labels``, ``gttubes {video: {label: [(n, 5) frame, x1, y1, x2,
            y2]}}`` (1-based frames, pixels), ``nframes``, ``train_videos`` / ``test_videos`` (one list
            per split), ``resolution {video: (h, w)}``.
        pipeline (list): Transforms; see ``configs/_base_/datasets/*tube*``.
        data_prefix (dict): ``dict(img=...)`` for rawframes ``<img>/<video>/<filename_tmpl>`` or
            ``dict(video=...)`` for ``<video_dir>/<video><suffix>``.
        split (int): 1-based split number, as the papers name them. Defaults to 1.
        subset (str | None): ``'train'`` or ``'test'``; None follows ``test_mode``.
        clip_len (int): Frames ``T`` per clip.
        sampling (str): ``'whole'`` (one centre-padded clip per video), ``'sliding'`` (non-overlapping
            clips, the last one padded) or ``'centred'`` (CSA's UCF101-24 grid, see :func:`clip_frame_ids`).
        filename_tmpl (str): Rawframe name template. Defaults to ``'{:05d}.jpg'``.
        suffix (str): Video file suffix. Defaults to ``'.mp4'``.
        test_mode (bool): Defaults to False.

    A data sample holds ``video_id``, ``frame_ids`` (``(T, )`` 1-based frame numbers as in the
    annotation), ``frame_inds`` (what the decoders read: ``frame_ids - 1 + start_index``),
    ``frame_valid`` (``(T, )`` bool), ``gt_tube_bboxes`` (``(A, T, 4)`` float32, pixels of
    ``gt_resolution``), ``gt_tube_labels`` (``(A, T)`` int64, ``-1`` = background),
    ``gt_resolution`` ``(h, w)`` and ``clip_index``.
    """

    def __init__(self, ann_file: str, pipeline: List[Union[dict, Callable]], data_prefix: Optional[dict] = None,
                 split: int = 1, subset: Optional[str] = None, clip_len: int = 32, sampling: str = 'sliding',
                 filename_tmpl: str = '{:05d}.jpg', suffix: str = '.mp4', test_mode: bool = False, **kwargs):
        data_prefix = dict(img='') if data_prefix is None else dict(data_prefix)
        if ('img' in data_prefix) == ('video' in data_prefix):
            raise ValueError(f"ActionTubeDataset: data_prefix needs exactly one of 'img' (rawframes) or 'video', "
                             f'got {data_prefix}')
        if subset not in (None, 'train', 'test'):
            raise ValueError(f"ActionTubeDataset: subset must be 'train', 'test' or None, got {subset!r}")
        if clip_len < 1:
            raise ValueError(f'ActionTubeDataset: clip_len must be positive, got {clip_len}')
        clip_frame_ids(1, clip_len, sampling)  # validates ``sampling``
        self.split, self.clip_len, self.sampling = split, clip_len, sampling
        self.subset = subset or ('test' if test_mode else 'train')
        self.filename_tmpl, self.suffix = filename_tmpl, suffix
        self.rawframes = 'img' in data_prefix
        start_index = kwargs.pop('start_index', 1 if self.rawframes else 0)
        super().__init__(ann_file, pipeline, data_prefix=data_prefix, test_mode=test_mode,
                         start_index=start_index, **kwargs)

    def load_data_list(self) -> List[dict]:
        return self.clips_from_annotations(load_act_annotations(self.ann_file))

    def clips_from_annotations(self, annos: dict) -> List[dict]:
        """The clips of this subset and split of an ACT annotation dict (as ``load_act_annotations`` returns)."""
        self.annotations = annos
        lists = annos[f'{self.subset}_videos']
        if not 1 <= self.split <= len(lists):
            raise ValueError(f'{self.ann_file}: split {self.split} requested, the file has {len(lists)} '
                             f'{self.subset} split(s) (splits are 1-based)')
        self._metainfo.setdefault('classes', tuple(annos['labels']))
        data_list = []
        for video in lists[self.split - 1]:
            for key in ('nframes', 'resolution'):
                if video not in annos[key]:
                    raise ValueError(f'{self.ann_file}: video {video!r} of the {self.subset} split has no '
                                     f'{key!r} entry')
            num_frames = int(annos['nframes'][video])
            tubes = self.sorted_tracks(annos['gttubes'].get(video, {}))
            for tube_label, tube in tubes:
                frames = tube[:, 0].astype(np.int64)
                if frames.min() < 1 or frames.max() > num_frames:
                    raise ValueError(f'{self.ann_file}: video {video!r} label {tube_label}: tube frames '
                                     f'{frames.min()}-{frames.max()} outside 1-{num_frames}')
            try:
                clips = clip_frame_ids(num_frames, self.clip_len, self.sampling)
            except ValueError as error:
                raise ValueError(f'{self.ann_file}: video {video!r}: {error}') from None
            for clip_index, (frame_ids, valid) in enumerate(clips):
                data_list.append(
                    self._clip_info(video, clip_index, frame_ids, valid, tubes, annos['resolution'][video]))
        return data_list

    @staticmethod
    def sorted_tracks(video_tubes: dict) -> List[Tuple[int, np.ndarray]]:
        """``[(label, (n, 5) tube)]`` of one video's ``gttubes`` entry, each tube sorted by frame once, so that every
        clip looks its frames up by searchsorted."""
        return [(int(label), tube[np.argsort(tube[:, 0], kind='stable')])
                for label, tube_list in sorted(video_tubes.items())
                for tube in (np.asarray(t, np.float64) for t in tube_list)]

    def _clip_info(self, video: str, clip_index: int, frame_ids: np.ndarray, valid: np.ndarray, tracks,
                   resolution) -> dict:
        boxes, labels = clip_tubes_from_tracks(tracks, frame_ids, valid)
        info = dict(
            video_id=video, clip_index=clip_index, frame_ids=frame_ids.astype(np.int64),
            frame_inds=(frame_ids - 1 + self.start_index).astype(np.int64), frame_valid=valid,
            clip_len=self.clip_len, num_clips=1, gt_resolution=tuple(int(v) for v in resolution),
            gt_tube_bboxes=boxes, gt_tube_labels=labels)
        prefix = self.data_prefix['img' if self.rawframes else 'video']
        if self.rawframes:
            info.update(frame_dir=osp.join(prefix, video), filename_tmpl=self.filename_tmpl,
                        total_frames=int(frame_ids.max()))
        else:
            info['filename'] = osp.join(prefix, video + self.suffix)
        return info


@DATASETS.register_module()
class JHMDBTubeDataset(ActionTubeDataset):
    """JHMDB51-21 as in CSA / TubeR: each (trimmed, <= 40-frame) video is one 40-frame clip,
    centre-padded by repeating its first and last frames; rawframes ``{:05d}.png`` (ACT layout)."""

    def __init__(self, ann_file: str, pipeline: Sequence, clip_len: int = 40, sampling: str = 'whole',
                 filename_tmpl: str = '{:05d}.png', **kwargs):
        super().__init__(ann_file, pipeline, clip_len=clip_len, sampling=sampling, filename_tmpl=filename_tmpl,
                         **kwargs)


@DATASETS.register_module()
class UCF24TubeDataset(ActionTubeDataset):
    """UCF101-24 as in CSA's released code: non-overlapping 32-frame clips centred on each (untrimmed) video,
    the padding split between the first and the last clip (``sampling='centred'``); rawframes ``{:05d}.jpg``
    (ACT layout)."""

    def __init__(self, ann_file: str, pipeline: Sequence, clip_len: int = 32, sampling: str = 'centred',
                 filename_tmpl: str = '{:05d}.jpg', **kwargs):
        super().__init__(ann_file, pipeline, clip_len=clip_len, sampling=sampling, filename_tmpl=filename_tmpl,
                         **kwargs)
