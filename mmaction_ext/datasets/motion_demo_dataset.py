"""The motion demo rendered on the fly: a new training clip every epoch, no files.

:class:`MotionDemoDataset` is the classification flavour of ``tools/data/generate_motion_demo.py`` without the
files. Sample ``i`` of epoch ``e`` is drawn from its own random stream, seeded by ``(seed, split, label, index,
epoch)``, in the dataloader worker that reads it; epoch 0 and the validation set use exactly the generator's seeds,
so the online validation set *is* the file generator's validation set (up to the video codec) and a model scores
the same on both. :class:`EpochIndexSampler` tells the workers the epoch through the indices it yields, which
works with persistent workers (a hook that set an attribute on the dataset would change only the main process's
copy). :class:`MotionDemoTubeDataset` does the same for the detection flavour, as action tubes.
"""
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
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



@DATASETS.register_module()
class MotionDemoTubeDataset(RenderedSamples, ActionTubeDataset):
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
        self.seed, self.difficulty = seed, difficulty
        super().__init__('', pipeline, data_prefix=dict(video=''), subset='train' if split == 'train' else 'test',
                         clip_len=clip_len, sampling=sampling, test_mode=test_mode, num_classes=num_classes, **kwargs)

    def draw(self, index: int, epoch: int = 0):
        """Video ``index`` of ``epoch``: a ``DetectionClip`` (its frames drawn when indexed, its actors)."""
        generate, _, scene = _synthetic()
        rng = np.random.default_rng(generate.detection_seed(self.seed, self.demo_split, index, epoch))
        return scene.DetectionClip(rng, self.num_frames, self.height, self.width, self.num_actors, self.num_classes,
                             self.difficulty)

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

