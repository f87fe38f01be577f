"""A metric that reads its ground truth (or class count) from the dataset's metainfo, as the online demos give it."""
from abc import ABC, abstractmethod
from typing import Optional


class ReadsDatasetMeta(ABC):
    """Mixin for an mmengine ``BaseMetric``: setting ``dataset_meta`` (the evaluator does, before ``process``) also
    calls :meth:`read_dataset_meta`, which a subclass must define (a metric without it cannot be built). The
    metainfo is kept by reference, where ``BaseMetric`` deep-copies it: an online dataset's ground truth can be
    large."""

    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, meta: Optional[dict]) -> None:
        self._dataset_meta = meta
        self.read_dataset_meta(meta or {})

    @abstractmethod
    def read_dataset_meta(self, meta: dict) -> None:
        """Take what the metric needs from ``meta`` (the dataset's metainfo, ``{}`` when there is none)."""
