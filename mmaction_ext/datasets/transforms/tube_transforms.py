"""Transforms for clips with per-frame actor boxes (``gt_tube_bboxes (A, T, 4)``, ``gt_tube_labels (A, T)``).

Each is MMAction2's image transform (subclassed, so the frames are processed by MMAction2's code)
followed by the same geometric change applied to the tube boxes. Boxes are ``x1, y1, x2, y2`` in
continuous pixel coordinates of the current frames; they start in the annotation's resolution
(``gt_resolution``) and are first rescaled to the decoded frames if those differ (for example the
340x256 UCF101 videos against 320x240 annotations). A box that a crop leaves with no area becomes
background: label ``-1`` and a zero box. Lazy mode is not supported (boxes need eager geometry).
"""
from typing import Sequence

import numpy as np
import torch
from mmaction.datasets.transforms import (CenterCrop, Flip, PackActionInputs, RandomCrop, RandomResizedCrop,
                                          Resize)
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmengine.structures import InstanceData

from ...structures import check_gt_tubes, drop_empty_tube_boxes, rescale_tube_boxes
from .color import AspectRandomCrop

TUBE_KEYS = ('gt_tube_bboxes', 'gt_tube_labels')


def _check_eager(transform) -> None:
    if getattr(transform, 'lazy', False):
        raise ValueError(f'{type(transform).__name__}: lazy=True is not supported with tube boxes')


def align_tubes_to_frames(results: dict) -> dict:
    """Rescale the tube boxes once from ``gt_resolution`` to the decoded frames' ``original_shape``."""
    if 'gt_tube_bboxes' not in results or results.get('tube_boxes_aligned'):
        return results
    frame_shape = tuple(results.get('original_shape', results['img_shape']))
    gt_shape = tuple(results.get('gt_resolution', frame_shape))
    if frame_shape != gt_shape:
        results['gt_tube_bboxes'] = rescale_tube_boxes(results['gt_tube_bboxes'], gt_shape, frame_shape)
    results['tube_boxes_aligned'] = True
    return results


def crop_tubes(results: dict, crop_bbox: Sequence[float]) -> dict:
    """Shift the boxes into ``crop_bbox`` (``x1, y1, x2, y2``), clip them to it, drop empty ones."""
    x1, y1, x2, y2 = [float(v) for v in crop_bbox]
    boxes = results['gt_tube_bboxes'] - np.array([x1, y1, x1, y1], np.float32)
    boxes[..., 0::2] = np.clip(boxes[..., 0::2], 0, x2 - x1)
    boxes[..., 1::2] = np.clip(boxes[..., 1::2], 0, y2 - y1)
    results['gt_tube_bboxes'], results['gt_tube_labels'] = drop_empty_tube_boxes(boxes, results['gt_tube_labels'])
    return results


class _TubeGeometry:
    """Mixin: run the MMAction2 transform, then apply its geometry to the tube boxes with the
    subclass's ``transform_tubes(results, shape_before)``."""

    def transform(self, results: dict) -> dict:
        _check_eager(self)
        results = align_tubes_to_frames(results)
        before = tuple(results['img_shape'])
        results = super().transform(results)
        if 'gt_tube_bboxes' in results:
            results = self.transform_tubes(results, before)
        return results


@TRANSFORMS.register_module()
class TubeResize(_TubeGeometry, Resize):
    """MMAction2 ``Resize`` that also scales the tube boxes."""

    def transform_tubes(self, results, shape_before):
        results['gt_tube_bboxes'] = rescale_tube_boxes(results['gt_tube_bboxes'], shape_before,
                                                       tuple(results['img_shape']))
        return results


class _TubeCrop(_TubeGeometry):

    def transform_tubes(self, results, shape_before):
        return crop_tubes(results, results['crop_bbox'])


@TRANSFORMS.register_module()
class TubeRandomCrop(_TubeCrop, RandomCrop):
    """MMAction2 ``RandomCrop`` that also crops, clips and drops the tube boxes."""


@TRANSFORMS.register_module()
class TubeRandomResizedCrop(_TubeCrop, RandomResizedCrop):
    """MMAction2 ``RandomResizedCrop`` (crop only; follow with ``TubeResize``) for tube boxes."""


@TRANSFORMS.register_module()
class TubeAspectRandomCrop(_TubeCrop, AspectRandomCrop):
    """:class:`AspectRandomCrop` (CSA's training crop) for tube boxes."""


@TRANSFORMS.register_module()
class TubeCenterCrop(_TubeCrop, CenterCrop):
    """MMAction2 ``CenterCrop`` that also crops, clips and drops the tube boxes."""


@TRANSFORMS.register_module()
class TubeFlip(_TubeGeometry, Flip):
    """MMAction2 ``Flip`` that also mirrors the tube boxes (labels are kept: JHMDB / UCF101-24
    actions do not depend on left / right)."""

    def transform_tubes(self, results, shape_before):
        if not results['flip']:
            return results
        height, width = results['img_shape']
        boxes = results['gt_tube_bboxes']
        if results['flip_direction'] == 'horizontal':
            boxes = self._box_flip(boxes, width)
        else:  # MMAction2's box flip is horizontal only: run it on (y, x) boxes
            yx = [1, 0, 3, 2]
            boxes = self._box_flip(boxes[..., yx], height)[..., yx]
        results['gt_tube_bboxes'] = np.where((results['gt_tube_labels'] < 0)[..., None], 0, boxes)
        return results


@TRANSFORMS.register_module()
class PackTubeInputs(PackActionInputs):
    """Pack a tube clip: ``inputs`` as :class:`PackActionInputs`, and an :class:`ActionDataSample`
    whose ``gt_instances`` has one row per actor still present in the clip: ``bboxes (A, T, 4)``
    and ``labels (A, T)`` (``-1`` background). Frame bookkeeping (``frame_ids``, ``frame_valid``)
    and the geometry (``img_shape``, ``gt_resolution``, ``scale_factor``, ``flip``) go to metainfo.
    """

    def __init__(self, meta_keys: Sequence[str] = ('video_id', 'clip_index', 'frame_ids', 'frame_valid', 'img_shape',
                                                    'original_shape', 'gt_resolution', 'scale_factor', 'flip',
                                                    'flip_direction', 'crop_bbox'), **kwargs):
        super().__init__(meta_keys=tuple(meta_keys), **kwargs)

    def transform(self, results: dict) -> dict:
        results = align_tubes_to_frames(results)
        packed = super().transform({k: v for k, v in results.items() if k not in TUBE_KEYS})
        sample: ActionDataSample = packed['data_samples']
        if 'gt_tube_bboxes' in results:
            boxes, labels = results['gt_tube_bboxes'], results['gt_tube_labels']
            check_gt_tubes(boxes, labels, f'PackTubeInputs: clip of {results.get("video_id")!r}')
            present = (labels >= 0).any(1)
            sample.gt_instances = InstanceData(bboxes=torch.from_numpy(np.ascontiguousarray(boxes[present])),
                                               labels=torch.from_numpy(np.ascontiguousarray(labels[present])))
        return packed


__all__ = ['TubeAspectRandomCrop', 'TubeResize', 'TubeRandomCrop', 'TubeRandomResizedCrop', 'TubeCenterCrop', 'TubeFlip',
           'PackTubeInputs', 'align_tubes_to_frames', 'crop_tubes']
