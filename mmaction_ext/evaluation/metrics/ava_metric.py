"""MMAction2's ``AVAMetric`` for a dataset that holds its AVA ground truth in memory (the online motion demo)."""
import csv
import os.path as osp
import tempfile
from typing import List, Optional, Sequence

from mmaction.evaluation import AVAMetric
from mmaction.registry import METRICS

from ...datasets.ava_annotations import write_ava_label_map
from .dataset_meta import ReadsDatasetMeta


@METRICS.register_module()
class OnlineAVAMetric(ReadsDatasetMeta, AVAMetric):
    """``AVAMetric`` (frame-mAP@0.5 by MMAction2's ``ava_eval``) whose ground truth may come from the dataset.

    With ``ann_file`` None, the ground truth is the dataset's ``metainfo['ava_annotations']`` (rows of an AVA CSV:
    ``video_id, second, x1, y1, x2, y2, action_id, actor_id``) and its label map ``metainfo['classes']`` (action ids
    ``1..len(classes)``), as :class:`~mmaction_ext.datasets.MotionDemoAVADataset` gives them: they are written to
    temporary files and scored exactly as ``AVAMetric`` scores the files. With ``ann_file`` set it is ``AVAMetric``.

    Args:
        ann_file (str, optional): The ground-truth CSV, or None (the dataset's). Defaults to None.
        exclude_file (str, optional): Excluded timestamps; None: none. Defaults to None.
        label_file (str, optional): The label map; None with ``ann_file`` None: the dataset's classes.
        num_classes (int, optional): Classes of the detector's scores including AVA's background index 0; None: the
            dataset's classes plus one (needed with ``ann_file``). Defaults to None.
        **kwargs: As ``AVAMetric`` (``options``, ``action_thr``, ``custom_classes``, ...).
    """

    def __init__(self, ann_file: Optional[str] = None, exclude_file: Optional[str] = None,
                 label_file: Optional[str] = None, num_classes: Optional[int] = None, **kwargs) -> None:
        if ann_file is not None and (label_file is None or num_classes is None):
            raise ValueError(f'OnlineAVAMetric: ann_file {ann_file!r} needs its label_file and num_classes (the class '
                             'count is read from the dataset only with its ground truth)')
        super().__init__(ann_file, exclude_file, label_file, num_classes=num_classes or 0, **kwargs)
        self.from_dataset = ann_file is None
        self.fixed_num_classes = num_classes

    def read_dataset_meta(self, meta: dict) -> None:
        if self.fixed_num_classes is None and meta.get('classes'):
            self.num_classes = len(meta['classes']) + 1

    def _ground_truth(self) -> tuple:
        meta = self.dataset_meta or {}
        if 'ava_annotations' not in meta or not meta.get('classes'):
            raise ValueError('OnlineAVAMetric: no ann_file, and the dataset gives no ground truth (needs '
                             "metainfo['ava_annotations'] and metainfo['classes'], as MotionDemoAVADataset has)")
        return meta['ava_annotations'], meta['classes']

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        if self.num_classes < 2:
            self._ground_truth()  # the error that says why no class count is known
        super().process(data_batch, data_samples)

    def compute_metrics(self, results: List[dict]) -> dict:
        if not self.from_dataset:
            return super().compute_metrics(results)
        rows, classes = self._ground_truth()
        with tempfile.TemporaryDirectory(prefix='online_ava_') as folder:
            self.ann_file, self.label_file = osp.join(folder, 'gt.csv'), osp.join(folder, 'labels.pbtxt')
            with open(self.ann_file, 'w', newline='') as f:
                csv.writer(f).writerows(rows)
            write_ava_label_map(self.label_file, classes)
            try:
                return super().compute_metrics(results)
            finally:
                self.ann_file = self.label_file = None
