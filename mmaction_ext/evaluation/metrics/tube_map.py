"""Frame-mAP and video-mAP metrics for tube detectors on JHMDB51-21 / UCF101-24 (ACT ground truth).

A model's prediction for a clip (``ActionDataSample.pred_instances``) is a set of ``Q`` tubes:
``bboxes (Q, T, 4)`` in pixels of the annotation's resolution (``gt_resolution``), per-frame class
scores ``scores (Q, T, C)`` and, optionally, actor confidences ``actor_scores (Q, T)``. The clip's
metainfo gives ``video_id``, ``frame_ids`` (``(T, )`` 1-based frame numbers) and ``frame_valid``
(``(T, )``; padded frames are skipped). Every (tube, frame, class) becomes a frame detection; per frame
the ``max_dets_per_frame`` highest-scoring ones above ``score_thr`` are kept.

``convention`` picks the evaluator reproduced (``'voc'``: MultiSports / MMAction2 and, for frames, the
TF-OD-API Pascal evaluator of YOWO / TubeR / CSA; ``'act'``: ACT-detector; ``'csa'``: CSA's video-mAP;
see :mod:`mmaction_ext.evaluation.functional.conventions` and ``docs/detection_eval.md``).
"""
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ...datasets.act_annotations import load_act_annotations
from ...structures import check_pred_tubes, frame_detections_from_tubes, to_numpy
from ..functional import VIDEO_IOU_RANGE, build_video_tubes, check_link_options, frame_ap, resolve_convention, video_ap
from .dataset_meta import ReadsDatasetMeta


class ActionTubeMetric(ReadsDatasetMeta, BaseMetric):
    """Shared collection of frame detections; see the module docstring for the prediction format.

    Args:
        ann_file (str, optional): ACT ground-truth pickle; None: the dataset's ``metainfo['act_annotations']``
            (the online demo, ``MotionDemoTubeDataset``).
        split (int): 1-based split whose ``test_videos`` are evaluated. Defaults to 1.
        convention (str | dict): A preset (``'voc'``, ``'act'``, ``'csa'`` for video-mAP) or a dict of
            overrides ``dict(base='act', ap='voc')``. Defaults to ``'voc'``.
        score_thr (float): Frame detections at or below it are dropped. Defaults to 0.
        max_dets_per_frame (int, optional): Detections kept per frame (None: all). Defaults to 10.
        argmax_class_only (bool): A tube is a detection of its best class only, per frame (CSA's UCF
            video-mAP). Defaults to False.
        actor_score_thr (float, optional): Keep a tube's detections in a frame only where its
            ``actor_scores`` reach this (CSA's UCF video-mAP: 0.7); None: no gate. Defaults to None.
        ignore_classes (Sequence[int]): Classes left out of the mean.
    """

    evaluates_frames = False  # frame-mAP refuses the video-only conventions

    def __init__(self, ann_file: Optional[str] = None, split: int = 1, convention='voc', score_thr: float = 0.0,
                 max_dets_per_frame: Optional[int] = 10, argmax_class_only: bool = False,
                 actor_score_thr: Optional[float] = None, ignore_classes: Sequence[int] = (),
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        try:
            self.convention = resolve_convention(convention, frames=self.evaluates_frames)
        except (ValueError, TypeError) as error:
            raise type(error)(f'{type(self).__name__}: {error}') from None
        self.ann_file, self.split, self.annos = ann_file, split, None
        if ann_file is not None:
            self._use_annotations(load_act_annotations(ann_file), ann_file)
        self.score_thr, self.max_dets_per_frame = score_thr, max_dets_per_frame
        self.argmax_class_only, self.actor_score_thr = argmax_class_only, actor_score_thr
        self.ignore_classes = tuple(ignore_classes)

    def _use_annotations(self, annos: dict, source: str) -> None:
        tests = annos['test_videos']
        if not 1 <= self.split <= len(tests):
            raise ValueError(f'{source}: split {self.split} requested, it has {len(tests)} test split(s)')
        self.annos = annos
        self.videos: List[str] = list(tests[self.split - 1])
        self.video_index = {video: i for i, video in enumerate(self.videos)}
        self.num_classes = len(annos['labels'])

    def read_dataset_meta(self, meta: dict) -> None:
        # Without ann_file, the ground truth is the dataset's own (an online dataset: MotionDemoTubeDataset).
        if self.ann_file is None and 'act_annotations' in meta:
            self._use_annotations(meta['act_annotations'], 'the dataset\'s act_annotations')

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        if self.annos is None:
            raise ValueError(f'{type(self).__name__}: no ann_file, and the dataset gives no ground truth '
                             "(metainfo['act_annotations'], as MotionDemoTubeDataset does)")
        for sample in data_samples:
            self.results.append(self._frame_detections(sample))

    def _frame_detections(self, sample: dict) -> dict:
        video = sample.get('video_id')
        where = f'{type(self).__name__}: prediction for video {video!r}'
        if video not in self.video_index:
            raise ValueError(f'{where}: not a test video of {self.ann_file}')
        if 'pred_instances' not in sample:
            raise ValueError(f'{where} has no pred_instances')
        # Off the device once; both checks and the conversion below read these arrays.
        boxes, scores = to_numpy(sample['pred_instances']['bboxes']), to_numpy(sample['pred_instances']['scores'])
        frame_ids = to_numpy(sample['frame_ids']).astype(np.int64)
        valid = to_numpy(sample.get('frame_valid', np.ones(len(frame_ids), bool))).astype(bool)
        check_pred_tubes(boxes, scores, frame_ids, valid, self.num_classes, where)
        nframes = int(self.annos['nframes'][video])
        bad = frame_ids[valid][(frame_ids[valid] < 1) | (frame_ids[valid] > nframes)]
        if bad.size:
            raise ValueError(f'{where}: frame {int(bad[0])} outside 1-{nframes}')
        actor_scores = None
        if self.actor_score_thr is not None:
            if 'actor_scores' not in sample['pred_instances']:
                raise ValueError(f'{where}: actor_score_thr={self.actor_score_thr} needs pred_instances.actor_scores '
                                 '(Q, T), which the model did not predict')
            actor_scores = sample['pred_instances']['actor_scores']
        try:
            rows = frame_detections_from_tubes(boxes, scores, frame_ids, valid, self.max_dets_per_frame,
                                               self.score_thr, self.argmax_class_only, actor_scores,
                                               self.actor_score_thr or 0.0)
        except ValueError as error:  # actor_scores of the wrong shape
            raise ValueError(f'{where}: {error}') from None
        return dict(video=self.video_index[video], frames=frame_ids[valid], rows=rows)

    def _all_detections(self, results: List[dict]) -> np.ndarray:
        seen: Dict[int, set] = {}
        parts = []
        for result in results:
            frames = set(result['frames'].tolist())  # every evaluated frame, with detections or not
            overlap = seen.setdefault(result['video'], set()) & frames
            if overlap:
                raise ValueError(f'{type(self).__name__}: video {self.videos[result["video"]]!r} frame '
                                 f'{min(overlap)} predicted by two clips; clips must not overlap')
            seen[result['video']] |= frames
            rows = result['rows']
            parts.append(np.concatenate([np.full((len(rows), 1), result['video']), rows], 1))
        missing = len(self.videos) - len(seen)
        if missing:
            MMLogger.get_current_instance().warning(
                f'{type(self).__name__}: {missing} of {len(self.videos)} test videos have no predictions; '
                'their ground truth counts as missed')
        return np.concatenate(parts) if parts else np.zeros((0, 8))

    def _log_per_class(self, title: str, per_class: Dict[int, float]) -> None:
        logger = MMLogger.get_current_instance()
        lines = [f'{self.annos["labels"][label]:30s} {100 * ap:6.2f}' for label, ap in per_class.items()
                 if not np.isnan(ap)]
        logger.info(f'{title} per class:\n' + '\n'.join(lines))


@METRICS.register_module()
class FrameMAP(ActionTubeMetric):
    """Frame-mAP (percent) at ``iou_thr`` (default 0.5); see :func:`frame_ap` for the matching.

    Args:
        class_agnostic (bool): Also report ``frame_AP_agnostic@<iou_thr>``: localisation alone, every
            ground-truth actor one class and every tube's per-frame score its best class score.
    """

    evaluates_frames = True

    def __init__(self, ann_file: Optional[str] = None, iou_thr: float = 0.5, class_agnostic: bool = False, **kwargs):
        super().__init__(ann_file, **kwargs)
        self.iou_thr, self.class_agnostic = iou_thr, class_agnostic

    def _frame_detections(self, sample: dict) -> dict:
        result = super()._frame_detections(sample)
        if self.class_agnostic:
            pred = sample['pred_instances']
            best = to_numpy(pred['scores']).max(-1, keepdims=True)
            result['agnostic_rows'] = frame_detections_from_tubes(
                pred['bboxes'], best, sample['frame_ids'], sample.get('frame_valid', np.ones(best.shape[1], bool)),
                self.max_dets_per_frame, self.score_thr)
        return result

    def compute_metrics(self, results: list) -> dict:
        detections = self._all_detections(results)
        mean_ap, per_class = frame_ap(self.annos['gttubes'], self.videos, detections, self.num_classes,
                                      self.iou_thr, self.convention, self.ignore_classes)
        self._log_per_class(f'frame-AP@{self.iou_thr}', per_class)
        metrics = OrderedDict([(f'frame_mAP@{self.iou_thr}', round(100 * mean_ap, 4))])
        if self.class_agnostic:
            agnostic = self._all_detections([dict(result, rows=result['agnostic_rows']) for result in results])
            actors = {video: {0: [tube for tubes in by_label.values() for tube in tubes]}
                      for video, by_label in self.annos['gttubes'].items()}
            metrics[f'frame_AP_agnostic@{self.iou_thr}'] = round(
                100 * frame_ap(actors, self.videos, agnostic, 1, self.iou_thr, self.convention)[0], 4)
        return metrics


@METRICS.register_module()
class VideoMAP(ActionTubeMetric):
    """Video-mAP (percent) at each of ``iou_thrs`` and averaged over 0.5:0.95.

    Args:
        iou_thrs (Sequence[float]): Defaults to ``(0.2, 0.5, 0.75)``.
        average_range (bool): Also report the mean over 0.5, 0.55, ..., 0.95. Defaults to True.
        linking (str, optional): ``'greedy'`` (ACT, MultiSports), ``'csa'`` (CSA / YOWO) or ``'viterbi'``
            (ours); None: the convention's (``'greedy'`` for ``'voc'`` and ``'act'``, ``'csa'`` for ``'csa'``).
        link_options (dict): Options of the linking function (``min_length``, ``top_k``, ``max_tubes``, ...;
            see :mod:`mmaction_ext.evaluation.functional.tube_linking`), checked when the metric is built.
        Others as :class:`ActionTubeMetric`; the 3D NMS after linking is the convention's ``tube_nms_thr``.
    """

    def __init__(self, ann_file: Optional[str] = None, iou_thrs: Sequence[float] = (0.2, 0.5, 0.75), average_range: bool = True,
                 linking: Optional[str] = None, link_options: Optional[dict] = None, **kwargs):
        super().__init__(ann_file, **kwargs)
        link_options = dict(link_options or {})
        linking = linking or self.convention.linking
        try:
            check_link_options(linking, link_options)
        except ValueError as error:
            raise ValueError(f'VideoMAP: {error}') from None
        self.iou_thrs, self.average_range = tuple(iou_thrs), average_range
        self.linking, self.link_options = linking, link_options

    def compute_metrics(self, results: list) -> dict:
        detections = self._all_detections(results)
        num_frames = [int(self.annos['nframes'][video]) for video in self.videos]
        tubes = build_video_tubes(detections, len(self.videos), self.num_classes, self.convention, self.linking,
                                  num_frames, **self.link_options)
        thresholds = tuple(dict.fromkeys(self.iou_thrs + (VIDEO_IOU_RANGE if self.average_range else ())))
        per_threshold = video_ap(self.annos['gttubes'], self.videos, tubes, self.num_classes, thresholds,
                                 self.convention, self.ignore_classes)
        metrics = OrderedDict()
        for thr in self.iou_thrs:
            metrics[f'video_mAP@{thr}'] = round(100 * per_threshold[thr][0], 4)
            self._log_per_class(f'video-AP@{thr}', per_threshold[thr][1])
        if self.average_range:
            metrics['video_mAP@0.5:0.95'] = round(100 * float(np.mean([per_threshold[t][0] for t in VIDEO_IOU_RANGE])), 4)
        return metrics
