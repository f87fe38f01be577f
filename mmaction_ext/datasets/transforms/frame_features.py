"""Per-frame feature files (FocusVideo's offline reconstruction targets) and the transforms around them.

A feature store is a folder with ``features.npy`` (``(total_frames, D)`` float16, memory-mapped) and
``index.json``: ``{"dim": D, "videos": {relative path: [offset, num_frames, done]}}``; frame ``f`` (0-based)
of a video is row ``offset + f``. ``tools/extract_features.py`` writes it; :class:`LoadFrameFeatureTargets`
reads it.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

FEATURES_FILE, INDEX_FILE = 'features.npy', 'index.json'


class FrameFeatureStore:
    """Read access to a feature store (see the module docstring), looked up by a video's path."""

    def __init__(self, folder: str):
        self.folder = folder
        index_path = osp.join(folder, INDEX_FILE)
        if not osp.isfile(index_path) or not osp.isfile(osp.join(folder, FEATURES_FILE)):
            raise FileNotFoundError(f'{folder} is not a frame-feature store (needs {INDEX_FILE} and {FEATURES_FILE}; '
                                    'write one with tools/extract_features.py)')
        with open(index_path) as f:
            index = json.load(f)
        self.dim = int(index['dim'])
        self.videos: Dict[str, Tuple[int, int, bool]] = {k: tuple(v) for k, v in index['videos'].items()}
        self.features = np.load(osp.join(folder, FEATURES_FILE), mmap_mode='r')
        self._resolved: Dict[str, str] = {}

    def key(self, filename: str) -> str:
        """The stored key of ``filename``: the longest trailing part of its path that the index holds."""
        if filename in self._resolved:
            return self._resolved[filename]
        parts = osp.normpath(filename).split(os.sep)
        for start in range(len(parts)):
            candidate = '/'.join(parts[start:])
            if candidate in self.videos:
                self._resolved[filename] = candidate
                return candidate
        raise KeyError(f'{filename}: no features in {self.folder} ({len(self.videos)} videos there, e.g. '
                       f'{next(iter(self.videos), "none")}); extract them with tools/extract_features.py')

    def frames(self, filename: str, frame_inds: np.ndarray) -> np.ndarray:
        """``(len(frame_inds), D)`` float32 features of the given 0-based frames of ``filename``."""
        key = self.key(filename)
        offset, count, done = self.videos[key]
        if not done:
            raise KeyError(f'{filename}: its features in {self.folder} are not written yet (interrupted '
                           'extraction: rerun tools/extract_features.py to resume)')
        frame_inds = np.asarray(frame_inds, dtype=np.int64)
        if frame_inds.size and (frame_inds.min() < 0 or frame_inds.max() >= count):
            raise IndexError(f'{filename}: frames {frame_inds.min()}..{frame_inds.max()} asked, but {self.folder} '
                             f'holds {count} frames for it (a feature file shorter than the dataset\'s video)')
        return np.asarray(self.features[offset + frame_inds], dtype=np.float32)


@TRANSFORMS.register_module()
class LoadFrameFeatureTargets(BaseTransform):
    """Gather the stored features of the sampled frames into ``results['recon_target'] (clip_len, D)``.

    Put it after ``SampleFrames`` (it reads ``frame_inds`` and ``start_index``) and add ``'recon_target'`` to
    ``PackActionInputs(algorithm_keys=...)``. The targets follow the sampled frames only: crops and flips of
    the pixels do not change them (the stored features are of whole frames). With several clips per sample
    the first clip's frames are used (training samples one clip).

    Args:
        feature_dir (str): The store written by ``tools/extract_features.py``.
    """

    def __init__(self, feature_dir: str):
        self.feature_dir = feature_dir
        self._store: Optional[FrameFeatureStore] = None

    @property
    def store(self) -> FrameFeatureStore:
        if self._store is None:  # opened lazily: each dataloader worker maps the file itself
            self._store = FrameFeatureStore(self.feature_dir)
        return self._store

    def transform(self, results: dict) -> dict:
        if 'frame_inds' not in results:
            raise KeyError(f'LoadFrameFeatureTargets needs frame_inds: put it after SampleFrames '
                           f'({results.get("filename")})')
        clip_len = results.get('clip_len', len(results['frame_inds']))
        frame_inds = np.asarray(results['frame_inds']).reshape(-1)[:clip_len] - results.get('start_index', 0)
        results['recon_target'] = self.store.frames(results['filename'], frame_inds)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(feature_dir={self.feature_dir!r})'


@TRANSFORMS.register_module()
class SampleAllFrames(BaseTransform):
    """Every frame of the video as one clip (``frame_inds = start_index .. start_index + total_frames - 1``),
    for dense feature extraction; needs ``total_frames`` (``VideoInit``)."""

    def transform(self, results: dict) -> dict:
        total = int(results['total_frames'])
        results['frame_inds'] = np.arange(total) + results.get('start_index', 0)
        results.update(clip_len=total, frame_interval=None, num_clips=1)
        return results
