"""Repeated augmentation (Hoffer et al., 2019; EMIM's official ``AUG.NUM_SAMPLE``) for any video loader.

MMAction2's ``RepeatAugDataset`` decodes once and augments ``num_repeats`` times, but only for pipelines
that open videos with ``DecordInit`` / ``DecordDecode``. These subclasses of MMAction2's ``VideoDataset`` and
``RawframeDataset`` accept any pipeline: everything up to and including its first decoding transform (a type
ending in ``Decode``: ``VideoDecode``, ``DecordDecode``, ``PyAVDecode``, ``RawFrameDecode``...) runs once, the
rest ``num_repeats`` times on copies of the decoded clip. Batches hold ``batch_size * num_repeats`` clips:
use MMAction2's ``collate_fn=dict(type='repeat_pseudo_collate')``.
"""
import copy
from typing import List

from mmaction.datasets import RawframeDataset, VideoDataset
from mmaction.registry import DATASETS


def _transform_type(transform) -> str:
    return type(transform).__name__


class _RepeatAugMixin:
    """Decode once, augment ``num_repeats`` times (the frames are sampled once: EMIM's ``NUM_SAMPLE``)."""

    def __init__(self, *args, num_repeats: int = 2, **kwargs):
        kwargs['test_mode'] = False  # repeats are for training
        super().__init__(*args, **kwargs)
        if num_repeats < 1:
            raise ValueError(f'{type(self).__name__}: num_repeats must be >= 1, got {num_repeats}')
        self.num_repeats = num_repeats
        names = [_transform_type(t) for t in self.pipeline.transforms]
        decoders = [i for i, name in enumerate(names) if name.endswith('Decode')]
        if not decoders:
            raise ValueError(f'{type(self).__name__}: the pipeline {names} has no decoding transform '
                             '(a type ending in "Decode"), so there is nothing to share between the repeats')
        self._split = decoders[0] + 1

    def prepare_data(self, idx) -> List[dict]:
        transforms = self.pipeline.transforms
        data = self.get_data_info(idx)
        for transform in transforms[:self._split]:
            data = transform(data)
        repeats = []
        for _ in range(self.num_repeats):
            sample = copy.deepcopy(data)
            for transform in transforms[self._split:]:
                sample = transform(sample)
            repeats.append(sample)
        return repeats


@DATASETS.register_module()
class RepeatAugVideoDataset(_RepeatAugMixin, VideoDataset):
    """MMAction2's ``VideoDataset`` with repeated augmentation.

    Args:
        num_repeats (int): Augmented copies of each decoded clip (EMIM: 2).
        **kwargs: ``VideoDataset`` arguments (``test_mode`` is forced to False: repeats are for training).
    """


@DATASETS.register_module()
class RepeatAugRawframeDataset(_RepeatAugMixin, RawframeDataset):
    """MMAction2's ``RawframeDataset`` with repeated augmentation (Something-Something V1 as released).

    Args:
        num_repeats (int): Augmented copies of each decoded clip (EMIM: 2).
        **kwargs: ``RawframeDataset`` arguments (``test_mode`` is forced to False).
    """


__all__ = ['RepeatAugRawframeDataset', 'RepeatAugVideoDataset']
