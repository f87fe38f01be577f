"""A reference tube "detector" that predicts the ground truth it is given, optionally degraded.

It has no parameters and exists to check data pipelines and the detection metrics end to end
(``tools/test.py`` on a tube dataset): predicting the exact ground truth must give frame-mAP and
video-mAP of 100, and a known degradation a known drop.
"""
import zlib
from typing import List, Optional

import torch
from mmengine.model import BaseModel
from mmengine.structures import InstanceData

from mmaction.registry import MODELS

from ...structures import tube_boxes_to_annotation


@MODELS.register_module()
class OracleTubeDetector(BaseModel):
    """Predict every ground-truth tube of a clip, with score ``score`` for its class on the frames
    where it is labelled and 0 elsewhere, boxes mapped back to ``gt_resolution``.

    Args:
        num_classes (int): Classes ``C`` of the score vectors.
        score (float): Score of the true class. Defaults to 1.
        box_shift (float): Shift the boxes right by this fraction of their width (a known IoU drop:
            ``(1 - s) / (1 + s)``). Defaults to 0.
        random_scores (bool): Uniform random class scores (seeded by ``seed`` and the clip) on the frames
            where a tube is labelled, instead of the true class: "ground-truth boxes, random classes", the
            floor a detector's classification must beat. Defaults to False.
        seed (int): Seed of ``random_scores``. Defaults to 0.
        data_preprocessor (dict | None): Defaults to MMAction2's ``ActionDataPreprocessor``.

    Assumes a test pipeline that only resizes the frames (no crop, no flip), as detection test
    pipelines do.
    """

    def __init__(self, num_classes: int, score: float = 1.0, box_shift: float = 0.0, random_scores: bool = False,
                 seed: int = 0, data_preprocessor: Optional[dict] = None):
        super().__init__(data_preprocessor=data_preprocessor or dict(type='ActionDataPreprocessor'))
        self.num_classes, self.score, self.box_shift = num_classes, score, box_shift
        self.random_scores, self.seed = random_scores, seed

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None, mode: str = 'tensor'):
        if mode != 'predict':
            raise RuntimeError(f"OracleTubeDetector has nothing to train or compute in mode {mode!r}; "
                               "use it with tools/test.py (mode 'predict')")
        for sample in data_samples:
            if 'gt_instances' not in sample:
                raise ValueError(f'OracleTubeDetector: clip of {sample.metainfo.get("video_id")!r} has no '
                                 'gt_instances; pack the test pipeline with PackTubeInputs')
            boxes = tube_boxes_to_annotation(sample.gt_instances.bboxes.float(), sample.metainfo)
            labels = sample.gt_instances.labels
            shift = self.box_shift * (boxes[..., 2] - boxes[..., 0])
            boxes[..., 0] += shift
            boxes[..., 2] += shift
            scores = boxes.new_zeros(*labels.shape, self.num_classes)
            present = labels >= 0
            if self.random_scores:
                clip = f'{sample.metainfo.get("video_id")}/{sample.metainfo.get("clip_index", 0)}'
                generator = torch.Generator().manual_seed(self.seed * 1000003 + zlib.crc32(clip.encode()))
                random = torch.rand(*labels.shape, self.num_classes, generator=generator).to(scores)
                scores[present] = random[present]
            else:
                scores[present] = self.score * torch.nn.functional.one_hot(labels[present], self.num_classes).float()
            sample.pred_instances = InstanceData(bboxes=boxes, scores=scores)
        return data_samples


__all__ = ['OracleTubeDetector']
