"""The motion demo rendered on the fly: a new training clip every epoch, no files.

:class:`MotionDemoDataset` is the classification flavour of ``tools/data/generate_motion_demo.py`` without the
files. Sample ``i`` of epoch ``e`` is drawn from its own random stream, seeded by ``(seed, split, label, index,
epoch)``, in the dataloader worker that reads it; epoch 0 and the validation set use exactly the generator's seeds,
so the online validation set *is* the file generator's validation set (up to the video codec) and a model scores
the same on both. :class:`EpochIndexSampler` tells the workers the epoch through the indices it yields, which
works with persistent workers (a hook that set an attribute on the dataset would change only the main process's
copy).
"""
from typing import Callable, List, Optional, Sequence, Union

import numpy as np
from mmaction.datasets import BaseActionDataset
from mmaction.registry import DATASETS, DATA_SAMPLERS
from mmengine.dataset import DefaultSampler

from .synthetic.generate import classification_seed, clip_relpath
from .synthetic.motions import MOTION_CLASSES
from .synthetic.scene import DIFFICULTIES, ClassificationClip


@DATASETS.register_module()
class MotionDemoDataset(BaseActionDataset):
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
        if split not in ('train', 'val'):
            raise ValueError(f"MotionDemoDataset: split must be 'train' or 'val', got {split!r}")
        if not 1 <= num_classes <= len(MOTION_CLASSES):
            raise ValueError(f'MotionDemoDataset: num_classes must be in [1, {len(MOTION_CLASSES)}], '
                             f'got {num_classes}')
        if class_indices is not None:
            class_indices = [int(c) for c in class_indices]
            bad = [c for c in class_indices if not 0 <= c < len(MOTION_CLASSES)]
            if bad or not class_indices or len(set(class_indices)) != len(class_indices):
                raise ValueError(f'MotionDemoDataset: class_indices must be distinct indices into the '
                                 f'{len(MOTION_CLASSES)} MOTION_CLASSES, got {class_indices}')
            num_classes = len(class_indices)
        if difficulty not in DIFFICULTIES:
            raise ValueError(f'MotionDemoDataset: unknown difficulty {difficulty!r}; '
                             f'expected one of {list(DIFFICULTIES)}')
        if clips_per_class < 1 or num_frames < 1 or size < 8:
            raise ValueError(f'MotionDemoDataset: need clips_per_class >= 1, num_frames >= 1 and size >= 8, got '
                             f'{clips_per_class}, {num_frames}, {size}')
        self.split, self.num_classes, self.clips_per_class = split, num_classes, clips_per_class
        self.class_indices = list(range(num_classes)) if class_indices is None else class_indices
        self.num_frames, self.size, self.seed, self.difficulty = num_frames, size, seed, difficulty
        kwargs.setdefault('metainfo', dict(classes=tuple(MOTION_CLASSES[c] for c in self.class_indices)))
        super().__init__(ann_file='', pipeline=pipeline, num_classes=num_classes, test_mode=test_mode, **kwargs)

    def load_data_list(self) -> List[dict]:
        # The generator's order: class by class, clip index within the class.
        return [dict(label=label, motion_class=motion_class, clip_index=index,
                     filename=clip_relpath(self.split, motion_class, index))
                for label, motion_class in enumerate(self.class_indices) for index in range(self.clips_per_class)]

    def render(self, idx: int) -> dict:
        """The sample at ``idx`` (``epoch * len(self) + i`` for sample ``i`` of ``epoch``) before the pipeline."""
        epoch, index = divmod(int(idx), len(self))
        info = self.get_data_info(index)
        rng = np.random.default_rng(classification_seed(self.seed, self.split, info['motion_class'],
                                                        info['clip_index'], epoch))
        clip = ClassificationClip(rng, info['motion_class'], self.num_frames, self.size, self.difficulty)
        info.update(array=clip, total_frames=self.num_frames, epoch=epoch)
        return info

    def prepare_data(self, idx: int):
        return self.pipeline(self.render(idx))

    def __getitem__(self, idx: int) -> dict:
        # mmengine's retry-on-None loop would hide a rendering error; a clip that fails to render is a bug.
        if idx < 0:
            raise IndexError(f'MotionDemoDataset: negative index {idx}')
        data = self.prepare_data(idx)
        if data is None:
            raise RuntimeError(f'MotionDemoDataset: the pipeline dropped sample {idx}')
        return data


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

