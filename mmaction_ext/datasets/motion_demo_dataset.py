"""The motion demo rendered on the fly: a new training clip every epoch, no files.

:class:`MotionDemoDataset` is the classification flavour of ``tools/data/generate_motion_demo.py`` without the
files. Sample ``i`` of epoch ``e`` is drawn from its own random stream, seeded by ``(seed, split, label, index,
epoch)``, in the dataloader worker that reads it; epoch 0 and the validation set use exactly the generator's seeds,
so the online validation set *is* the file generator's validation set (up to the video codec) and a model scores
the same on both. :class:`EpochIndexSampler` tells the workers the epoch through the indices it yields, which
works with persistent workers (a hook that set an attribute on the dataset would change only the main process's
copy). :class:`MotionDemoTubeDataset` does the same for the detection flavour, as action tubes, and
:class:`MotionDemoAVADataset` as AVA keyframes.
"""
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
from mmaction.datasets import AVADataset, BaseActionDataset
from mmaction.registry import DATASETS, DATA_SAMPLERS
from mmengine.dataset import DefaultSampler

from .action_tube_dataset import ActionTubeDataset


def _synthetic():
    """The renderer (``datasets.synthetic``), imported when a demo dataset is built: ``import mmaction_ext`` keeps
    the data-generation code out (docs/architecture.md)."""
    from .synthetic import generate, motions, scene
    return generate, motions, scene


def check_demo_arguments(owner: str, split: str, num_classes: int, difficulty: str) -> None:
    """The arguments both demo datasets share, with errors naming the dataset and the allowed values."""
    _, motions, scene = _synthetic()
    if split not in ('train', 'val'):
        raise ValueError(f"{owner}: split must be 'train' or 'val', got {split!r}")
    if not 1 <= num_classes <= len(motions.MOTION_CLASSES):
        raise ValueError(f'{owner}: num_classes must be in [1, {len(motions.MOTION_CLASSES)}], got {num_classes}')
    if difficulty not in scene.DIFFICULTIES:
        raise ValueError(f'{owner}: unknown difficulty {difficulty!r}; expected one of {list(scene.DIFFICULTIES)}')


class RenderedSamples:
    """``prepare_data`` / ``__getitem__`` of a dataset that draws its samples with ``render(idx)``, where ``idx`` is
    ``epoch * len(dataset) + i`` (:class:`EpochIndexSampler`)."""

    def prepare_data(self, idx: int):
        return self.pipeline(self.render(idx))

    def __getitem__(self, idx: int) -> dict:
        # mmengine's retry-on-None loop would hide a rendering error; a clip that fails to render is a bug.
        if idx < 0:
            raise IndexError(f'{type(self).__name__}: negative index {idx}')
        data = self.prepare_data(idx)
        if data is None:
            raise RuntimeError(f'{type(self).__name__}: the pipeline dropped sample {idx}')
        return data


@DATASETS.register_module()
class MotionDemoDataset(RenderedSamples, BaseActionDataset):
    """Classification clips of the motion demo, rendered when read (use ``ArrayDecode`` in the pipeline).

    A sample carries ``array`` (a :class:`~mmaction_ext.datasets.synthetic.scene.ClassificationClip` that draws
    only the frames a sampler picks, ``(T, size, size, 3)`` uint8 RGB), ``total_frames``, ``label`` and
    ``filename`` (where the file generator writes that clip).

    Args:
        pipeline (list[dict | callable]): Transforms, starting with a frame sampler and ``ArrayDecode``.
        split (str): ``'train'`` or ``'val'``: which of the generator's random streams. Defaults to ``'train'``.
        num_classes (int): The first ``num_classes`` classes of ``MOTION_CLASSES``. Defaults to 12.
        class_indices (list[int], optional): Instead, these classes of ``MOTION_CLASSES``, labelled ``0..k-1`` in
            this order (e.g. seen / unseen splits for zero-shot); each clip keeps the random stream of its class.
        clips_per_class (int): Samples per class and epoch. Defaults to 200.
        num_frames (int): Frames ``T`` per clip. Defaults to 32.
        size (int): Frame side in pixels. Defaults to 112.
        seed (int): The generator's seed. Defaults to 0.
        difficulty (str): A rung of the difficulty ladder (``DIFFICULTIES``: ``'static'``,
            ``'moving_background'``, ``'distractor'``, ``'full'``). Defaults to ``'full'``, the demo the
            file generator writes.
        test_mode (bool): Defaults to False.
    """

    def __init__(self,
                 pipeline: List[Union[dict, Callable]],
                 split: str = 'train',
                 num_classes: int = 12,
                 class_indices: Optional[Sequence[int]] = None,
                 clips_per_class: int = 200,
                 num_frames: int = 32,
                 size: int = 112,
                 seed: int = 0,
                 difficulty: str = 'full',
                 test_mode: bool = False,
                 **kwargs) -> None:
        motion_classes = _synthetic()[1].MOTION_CLASSES
        check_demo_arguments('MotionDemoDataset', split, num_classes, difficulty)
        if class_indices is not None:
            class_indices = [int(c) for c in class_indices]
            bad = [c for c in class_indices if not 0 <= c < len(motion_classes)]
            if bad or not class_indices or len(set(class_indices)) != len(class_indices):
                raise ValueError(f'MotionDemoDataset: class_indices must be distinct indices into the '
                                 f'{len(motion_classes)} MOTION_CLASSES, got {class_indices}')
            num_classes = len(class_indices)
        if clips_per_class < 1 or num_frames < 1 or size < 8:
            raise ValueError(f'MotionDemoDataset: need clips_per_class >= 1, num_frames >= 1 and size >= 8, got '
                             f'{clips_per_class}, {num_frames}, {size}')
        self.split, self.num_classes, self.clips_per_class = split, num_classes, clips_per_class
        self.class_indices = list(range(num_classes)) if class_indices is None else class_indices
        self.num_frames, self.size, self.seed, self.difficulty = num_frames, size, seed, difficulty
        kwargs.setdefault('metainfo', dict(classes=tuple(motion_classes[c] for c in self.class_indices)))
        super().__init__(ann_file='', pipeline=pipeline, num_classes=num_classes, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[dict]:
        # The generator's order: class by class, clip index within the class.
        generate = _synthetic()[0]
        return [dict(label=label, motion_class=motion_class, clip_index=index,
                     filename=generate.clip_relpath(self.split, motion_class, index))
                for label, motion_class in enumerate(self.class_indices) for index in range(self.clips_per_class)]

    def render(self, idx: int) -> dict:
        """The sample at ``idx`` (``epoch * len(self) + i`` for sample ``i`` of ``epoch``) before the pipeline."""
        epoch, index = divmod(int(idx), len(self))
        info = self.get_data_info(index)
        generate, _, scene = _synthetic()
        rng = np.random.default_rng(generate.classification_seed(self.seed, self.split, info['motion_class'],
                                                                 info['clip_index'], epoch))
        clip = scene.ClassificationClip(rng, info['motion_class'], self.num_frames, self.size, self.difficulty)
        info.update(array=clip, total_frames=self.num_frames, epoch=epoch)
        return info



@DATA_SAMPLERS.register_module()
class EpochIndexSampler(DefaultSampler):
    """``DefaultSampler`` whose indices carry the epoch: it yields ``epoch * len(dataset) + i``.

    For datasets that render a new sample per epoch (:class:`MotionDemoDataset`); the order within an epoch is
    ``DefaultSampler``'s (seeded by ``seed + epoch``, split across ranks). A dataset that does not render reads
    index ``epoch * len + i`` out of range, so use it only with datasets that document it.
    """

    def __iter__(self):
        offset = self.epoch * len(self.dataset)
        return (offset + i for i in super().__iter__())



class RenderedDetectionVideos(RenderedSamples):
    """The detection demo's videos, drawn as the file generator draws them (``demo_split``, ``num_frames``,
    ``height``, ``width``, ``num_actors``, ``demo_classes``, ``seed``, ``difficulty`` set by the dataset)."""

    def draw(self, index: int, epoch: int = 0):
        """Video ``index`` of ``epoch``: a ``DetectionClip`` (its frames drawn when indexed, its actors)."""
        generate, _, scene = _synthetic()
        rng = np.random.default_rng(generate.detection_seed(self.seed, self.demo_split, index, epoch))
        return scene.DetectionClip(rng, self.num_frames, self.height, self.width, self.num_actors, self.demo_classes,
                                   self.difficulty)

    @property
    def pixel_scale(self) -> np.ndarray:
        """``(width, height, width, height)``: normalised ``x1, y1, x2, y2`` to pixels."""
        return np.array([self.width, self.height, self.width, self.height])


@DATASETS.register_module()
class MotionDemoTubeDataset(RenderedDetectionVideos, ActionTubeDataset):
    """The detection flavour of the motion demo as action tubes, rendered when read (``ArrayDecode`` in the pipeline).

    What ``ActionTubeDataset`` reads from an ACT pickle and the videos of ``generate_motion_demo.py --flavour
    detection``, without the files: video ``i`` of epoch ``e`` is drawn from the stream seeded by ``(seed, split, i,
    e)``, so every training epoch has new videos (with :class:`EpochIndexSampler`) and epoch 0 / the test split are
    the generator's videos. The ground truth of the test split is in ``metainfo['act_annotations']`` (ACT format),
    which ``FrameMAP`` / ``VideoMAP`` read when built without ``ann_file``.

    Args:
        pipeline (list[dict | callable]): Transforms, ``ArrayDecode`` first.
        split (str): ``'train'`` or ``'val'`` (the ACT ``test`` subset). Defaults to ``'train'``.
        num_videos (int): Videos per epoch. Defaults to 120.
        num_frames (int): Frames per video. Defaults to 24.
        height (int): Frame height. Defaults to 120.
        width (int): Frame width. Defaults to 160.
        num_actors (tuple[int, int]): Fewest and most actors per video. Defaults to (2, 3).
        num_classes (int): The first classes of ``MOTION_CLASSES``. Defaults to 12.
        seed (int): The generator's seed. Defaults to 0.
        difficulty (str): A rung of the difficulty ladder. Defaults to ``'full'``.
        clip_len (int), sampling (str): As ``ActionTubeDataset``. Defaults to 8, ``'sliding'``.
    """

    def __init__(self, pipeline: List[Union[dict, Callable]], split: str = 'train', num_videos: int = 120,
                 num_frames: int = 24, height: int = 120, width: int = 160, num_actors: Sequence[int] = (2, 3),
                 num_classes: int = 12, seed: int = 0, difficulty: str = 'full', clip_len: int = 8,
                 sampling: str = 'sliding', test_mode: bool = False, **kwargs) -> None:
        check_demo_arguments('MotionDemoTubeDataset', split, num_classes, difficulty)
        if num_videos < 1 or height % 4 or width % 4 or not 1 <= num_actors[0] <= num_actors[1]:
            raise ValueError(f'MotionDemoTubeDataset: need num_videos >= 1, height and width multiples of 4 and '
                             f'1 <= num_actors[0] <= num_actors[1]; got {num_videos}, {height}x{width}, {num_actors}')
        self.demo_split, self.num_videos, self.num_frames = split, num_videos, num_frames
        self.height, self.width, self.num_actors = height, width, tuple(num_actors)
        self.demo_classes, self.seed, self.difficulty = num_classes, seed, difficulty
        super().__init__('', pipeline, data_prefix=dict(video=''), subset='train' if split == 'train' else 'test',
                         clip_len=clip_len, sampling=sampling, test_mode=test_mode, num_classes=num_classes, **kwargs)


    def load_data_list(self) -> List[dict]:
        generate, motions, _ = _synthetic()
        names = [generate.detection_video_name(self.demo_split, i) for i in range(self.num_videos)]
        self.video_index = {name: i for i, name in enumerate(names)}
        annos = dict(labels=list(motions.MOTION_CLASSES[:self.num_classes]), gttubes={}, nframes={}, resolution={},
                     train_videos=[[]], test_videos=[[]])
        for index, name in enumerate(names):
            annos['gttubes'][name] = generate.act_tubes(self.draw(index).actors, self.height, self.width)
            annos['nframes'][name] = self.num_frames
            annos['resolution'][name] = (self.height, self.width)
            annos[f'{self.subset}_videos'][0].append(name)
        self._metainfo['act_annotations'] = annos
        return self.clips_from_annotations(annos)

    def render(self, idx: int) -> dict:
        """The sample at ``idx`` (``epoch * len(self) + i``) before the pipeline: clip ``i`` of its video in that
        epoch's drawing, with that drawing's ground truth."""
        epoch, index = divmod(int(idx), len(self))
        info = self.get_data_info(index)
        clip = self.draw(self.video_index[info['video_id']], epoch)
        if epoch:
            tracks = self.sorted_tracks(_synthetic()[0].act_tubes(clip.actors, self.height, self.width))
            fresh = self._clip_info(info['video_id'], info['clip_index'], info['frame_ids'], info['frame_valid'],
                                    tracks, (self.height, self.width))
            info.update(gt_tube_bboxes=fresh['gt_tube_bboxes'], gt_tube_labels=fresh['gt_tube_labels'])
        info.update(array=clip, total_frames=self.num_frames, epoch=epoch)
        return info


@DATASETS.register_module()
class MotionDemoAVADataset(RenderedDetectionVideos, AVADataset):
    """The detection flavour of the motion demo as AVA keyframes, rendered when read (``SampleAVAFrames`` then
    ``ArrayDecode`` in the pipeline).

    What MMAction2's ``AVADataset`` reads from the ``ava_<split>.csv`` / ``ava_proposals_<split>.pkl`` / rawframes
    of ``generate_motion_demo.py --flavour detection --rawframes``, without the files: one sample per keyframe (every
    whole second ``s >= 1``, 0-based frame ``s * fps``) at which an actor acts, in the CSV's order, with the CSV's
    boxes (3 decimals, then scaled to pixels, as ``RawFrameDecode`` scales them) and multi-hot labels (index 0 is
    AVA's unused background, class ``k`` is index ``k + 1``). Video ``i`` of epoch ``e`` is drawn from the stream
    seeded by ``(seed, split, i, e)``: epoch 0 and the validation split are the generator's videos; a later training
    epoch draws new videos and keeps the keyframe slots (video, second), with that drawing's actors as ground truth
    (none when no actor acts there: a keyframe of background only). The validation ground truth is in
    ``metainfo['ava_annotations']`` (the CSV rows), which :class:`~mmaction_ext.evaluation.OnlineAVAMetric` reads.

    Args:
        pipeline (list[dict | callable]): Transforms: ``SampleAVAFrames``, ``ArrayDecode``, ...
        split (str): ``'train'`` or ``'val'``. Defaults to ``'train'``.
        num_videos (int): Videos per epoch. Defaults to 16 (the generator's training default).
        num_frames (int): Frames per video. Defaults to 48.
        fps (int): Frames per second: keyframe ``s`` is frame ``s * fps``. Defaults to 8.
        height (int), width (int): Frame size. Defaults to 120, 160.
        num_actors (tuple[int, int]): Fewest and most actors per video. Defaults to (2, 3).
        num_classes (int): The first classes of ``MOTION_CLASSES``. Defaults to 12 (the dataset's ``num_classes``
            is one more, AVA's background index 0).
        seed (int): The generator's seed. Defaults to 0.
        difficulty (str): A rung of the difficulty ladder. Defaults to ``'full'``.
        with_proposals (bool): Give every actor's box at the keyframe as ``proposals`` (score 1, as the generator's
            proposal file), for two-stage detectors. Defaults to False.
    """

    def __init__(self, pipeline: List[Union[dict, Callable]], split: str = 'train', num_videos: int = 16,
                 num_frames: int = 48, fps: int = 8, height: int = 120, width: int = 160,
                 num_actors: Sequence[int] = (2, 3), num_classes: int = 12, seed: int = 0, difficulty: str = 'full',
                 with_proposals: bool = False, test_mode: bool = False, **kwargs) -> None:
        check_demo_arguments('MotionDemoAVADataset', split, num_classes, difficulty)
        if kwargs.get('custom_classes') is not None:
            raise ValueError('MotionDemoAVADataset: custom_classes needs an AVA label file; the demo has none (choose '
                             'the first classes with num_classes)')
        if num_videos < 1 or fps < 1 or num_frames <= fps or not 1 <= num_actors[0] <= num_actors[1]:
            raise ValueError(f'MotionDemoAVADataset: need num_videos >= 1, fps >= 1, num_frames > fps (a keyframe '
                             f'at second 1) and 1 <= num_actors[0] <= num_actors[1]; got {num_videos}, {fps}, '
                             f'{num_frames}, {num_actors}')
        self.demo_split, self.num_videos, self.num_frames = split, num_videos, num_frames
        self.height, self.width, self.num_actors = height, width, tuple(num_actors)
        self.demo_classes, self.seed, self.difficulty = num_classes, seed, difficulty
        self.with_proposals = with_proposals
        motion_classes = _synthetic()[1].MOTION_CLASSES
        kwargs.setdefault('metainfo', dict(classes=tuple(motion_classes[:num_classes])))
        super().__init__('', pipeline, num_classes=num_classes + 1, start_index=0, timestamp_start=0,
                         timestamp_end=num_frames // fps, fps=fps, test_mode=test_mode, **kwargs)


    def keyframes(self, index: int, clip) -> tuple:
        """The AVA rows and proposals of video ``index`` drawn as ``clip`` (``generate.ava_keyframes``)."""
        generate = _synthetic()[0]
        return generate.ava_keyframes(generate.detection_video_name(self.demo_split, index), clip.actors,
                                      self.height, self.width, self.num_frames, self._FPS)

    def _annotation(self, rows: List[list]) -> dict:
        """``gt_bboxes`` (pixels), ``gt_labels`` (multi-hot) and ``entity_ids`` of one keyframe's CSV rows, merged
        by box as ``AVADataset`` merges them."""
        records = [dict(entity_box=np.array([float(v) for v in row[2:6]]), label=int(row[6]), entity_id=int(row[7]))
                   for row in rows]
        if not records:
            return dict(gt_bboxes=np.zeros((0, 4), np.float32), gt_labels=np.zeros((0, self.num_classes), np.float32),
                        entity_ids=np.zeros(0, np.int64))
        bboxes, labels, entity_ids = self.parse_img_record(records)
        return dict(gt_bboxes=(bboxes * self.pixel_scale).astype(np.float32), gt_labels=labels, entity_ids=entity_ids)

    def load_data_list(self) -> List[dict]:
        all_rows, data_list = [], []
        for index in range(self.num_videos):
            rows, _ = self.keyframes(index, self.draw(index))
            all_rows += rows
            seconds = sorted({int(row[1]) for row in rows})
            for second in seconds:  # AVADataset's order: by video, then by second (the CSV's order)
                video_id = rows[0][0]  # every row of the video names it
                data_list.append(dict(video_id=video_id, video_index=index, timestamp=second,
                                      img_key=f'{video_id},{second:04d}', shot_info=(0, self.num_frames),
                                      fps=self._FPS,
                                      ann=self._annotation([row for row in rows if int(row[1]) == second])))
        if not data_list:
            raise ValueError(f'MotionDemoAVADataset: no actor acts at a keyframe of the {self.num_videos} '
                             f'{self.demo_split} videos; use more videos or frames')
        self._metainfo['ava_annotations'] = all_rows
        return data_list

    def render(self, idx: int) -> dict:
        """The sample at ``idx`` (``epoch * len(self) + i``) before the pipeline: keyframe ``i`` of its video in that
        epoch's drawing, with that drawing's ground truth."""
        epoch, index = divmod(int(idx), len(self))
        info = self.get_data_info(index)
        clip = self.draw(info['video_index'], epoch)
        if epoch or self.with_proposals:
            rows, proposals = self.keyframes(info['video_index'], clip)
            if epoch:
                info.update(self._annotation([row for row in rows if int(row[1]) == info['timestamp']]))
            if self.with_proposals:
                boxes = proposals[info['img_key']]
                info.update(proposals=(boxes[:, :4] * self.pixel_scale).astype(np.float32), scores=boxes[:, 4])
        info.update(array=clip, total_frames=self.num_frames, epoch=epoch)
        return info
