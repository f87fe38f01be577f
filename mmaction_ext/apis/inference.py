"""Run a trained recognizer or tube detector on your own video.

    model = init_model('configs/...py', 'epoch_30.pth')
    result = inference(model, 'my_video.mp4')       # or a folder of frames

Recognizers go through the config's test pipeline (its clips and crops, the scores averaged as in
``tools/test.py``) and give the top-k classes. Tube detectors (CSA in tube mode, the oracle) run the config's
test pipeline on consecutive clips of the detector's length, one clip in memory at a time, and give tubes:
per-frame boxes in the video's pixels with class scores, linked from clip to clip. The result is a plain,
JSON-ready dict (``docs/inference.md``).
"""
import os.path as osp
from typing import Dict, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from scipy.optimize import linear_sum_assignment

from ..datasets.action_tube_dataset import clip_frame_ids
from ..models.layers.text_bank import read_class_names
from ..structures import pairwise_box_iou, rescale_tube_boxes
from .video_source import VideoSource


def init_model(config: Union[str, Config], checkpoint: Optional[str] = None, device: str = 'cpu',
               cfg_options: Optional[dict] = None, label_map: Optional[str] = None) -> torch.nn.Module:
    """Build the config's model, load ``checkpoint`` (None or ``'none'``: the model as initialised, e.g. the
    parameter-free oracle), put it on ``device`` in eval mode.

    The model keeps its config as ``model.cfg``. Class names come from ``label_map`` (one per line, as
    ``models.layers.text_bank.read_class_names`` reads MMAction2's label maps) or, for
    detectors, from the test dataset's annotation (loaded when :func:`inference` first needs it).
    """
    from ..engine import build_model, load_config
    if isinstance(config, Config):
        cfg = config.copy()
        if cfg_options:
            cfg.merge_from_dict(cfg_options)
    else:
        cfg = load_config(config, cfg_options)
    model = build_model(cfg, checkpoint or 'none')
    model.cfg = cfg
    if label_map is not None:
        model.dataset_meta = dict(classes=read_class_names(label_map))
    return model.to(device).eval()


def is_tube_detector(model) -> bool:
    """A model whose predictions are tubes (``pred_instances.bboxes (Q, T, 4)``): CSA in tube mode, the oracle."""
    from ..models.detectors import CSADetector, OracleTubeDetector
    return isinstance(model, OracleTubeDetector) or (isinstance(model, CSADetector) and model.mode == 'tube')


def inference(model: torch.nn.Module, video: Union[str, VideoSource], top_k: int = 5, score_thr: float = 0.3, link_iou: float = 0.3,
              progress: bool = False) -> Dict:
    """Predict ``video`` (a file or a folder of numbered frames, or a :class:`VideoSource` already open on one)
    with a model from :func:`init_model`.

    Args:
        top_k (int): Classes reported by a recognizer.
        score_thr (float): A detector's query is an actor in a frame where its best class score reaches this.
        link_iou (float): A tube continues into the next clip where its last box and a new tube's first box
            overlap by this IoU (one-to-one, highest IoU first).
        progress (bool): A progress bar over a detector's clips.

    Returns:
        dict: ``video``, ``num_frames``, ``fps``, ``size (h, w)``, ``task`` and, for recognition,
        ``predictions`` (``label``, ``name``, ``score``, best first) and ``scores`` (every class); for detection,
        ``tubes`` (``id``, ``label``, ``name``, ``score``, ``frames`` (0-based indices), ``boxes`` (x1, y1, x2, y2
        in the video's pixels), ``frame_scores`` (the tube's class in each frame), ``frame_labels`` (the best class
        in each frame)) and ``clips``.
    """
    if not hasattr(model, 'cfg'):
        raise ValueError('inference() needs a model from mmaction_ext.apis.init_model (it reads model.cfg)')
    if top_k < 1 or not 0 <= score_thr <= 1 or not 0 <= link_iou <= 1:
        raise ValueError(f'inference(): top_k >= 1, score_thr and link_iou in [0, 1]; got top_k={top_k}, '
                         f'score_thr={score_thr}, link_iou={link_iou}')
    source = video if isinstance(video, VideoSource) else VideoSource(video)
    header = dict(video=source.path, num_frames=source.num_frames, fps=source.fps, size=list(source.size))
    if is_tube_detector(model):
        return dict(header, task='detection', **_detect_tubes(model, source, score_thr, link_iou, progress))
    from ..models.detectors import CSADetector
    if isinstance(model, CSADetector):
        raise ValueError('inference() runs CSA in tube mode (JHMDB / UCF101-24 configs); this config is in '
                         f'{model.mode!r} mode (AVA keyframes): use tools/test.py on an AVA dataset')
    if not hasattr(model, 'cls_head'):
        raise ValueError(f'inference() covers recognizers and tube detectors; {type(model).__name__} is neither')
    return dict(header, task='recognition', **_recognize(model, source, top_k))


# Steps that read training targets stored beside the dataset, which a user's video does not have.
TARGET_STEPS = ('LoadFrameFeatureTargets', )


def test_pipeline(cfg: Config) -> List[dict]:
    """The config's test pipeline (of ``test_dataloader.dataset``, through dataset wrappers) without the steps
    that load stored training targets."""
    dataset = cfg.test_dataloader.dataset
    while 'pipeline' not in dataset and 'dataset' in dataset:  # wrappers (RepeatDataset, ...)
        dataset = dataset.dataset
    return [step for step in dataset.pipeline if step['type'] not in TARGET_STEPS]


def _class_name(model, label: int) -> str:
    classes = (getattr(model, 'dataset_meta', None) or {}).get('classes')
    return str(classes[label]) if classes is not None and label < len(classes) else f'class {label}'


def recognizer_batch(model, source: VideoSource) -> Dict:
    """``source`` through the recognizer's test pipeline (every view), as a batch of one for ``test_step``."""
    return pseudo_collate([Compose(source.pipeline(test_pipeline(model.cfg)))(source.results())])


def _recognize(model, source: VideoSource, top_k: int) -> Dict:
    with torch.no_grad():
        scores = model.test_step(recognizer_batch(model, source))[0].pred_score.float().cpu()
    order = scores.argsort(descending=True)[:top_k].tolist()
    return dict(predictions=[dict(label=i, name=_class_name(model, i), score=float(scores[i])) for i in order],
                scores=scores.tolist())


def _oracle_clips(model, source: VideoSource) -> Optional[List[dict]]:
    """For a model that predicts from the ground truth (the oracle): the test dataset's clips of this video, with
    their ground truth; class names from the annotation. None for any other model."""
    from mmaction.registry import DATASETS

    from ..models.detectors import OracleTubeDetector
    dataset_cfg = model.cfg.test_dataloader.dataset
    if not isinstance(model, OracleTubeDetector):
        return None
    dataset = DATASETS.build(dataset_cfg)
    model.dataset_meta = getattr(model, 'dataset_meta', None) or dict(dataset.metainfo)
    target = osp.realpath(source.path)
    clips = [dataset.get_data_info(i) for i in range(len(dataset))]
    clips = [c for c in clips if osp.realpath(c.get('filename', c.get('frame_dir', ''))) == target]
    if not clips:
        raise ValueError(f'{type(model).__name__} predicts the ground truth, and {source.path} is not a video of '
                         f'the config\'s test dataset ({dataset_cfg.get("ann_file")})')
    return clips


def _sliding_clips(model, source: VideoSource) -> List[dict]:
    """Consecutive clips of the detector's length over the whole video (the last one padded), as the tube
    datasets' ``sampling='sliding'``; boxes are predicted in the video's own pixels."""
    clip_len = model.cfg.test_dataloader.dataset.get('clip_len', getattr(model, 'num_frames', None))
    if clip_len is None:
        raise ValueError('the config sets no test_dataloader.dataset.clip_len: how many frames a clip has')
    clips = []
    for index, (frame_ids, valid) in enumerate(clip_frame_ids(source.num_frames, clip_len, 'sliding')):
        clips.append(dict(video_id=source.name, clip_index=index, frame_ids=frame_ids, frame_valid=valid,
                          clip_len=clip_len, num_clips=1, gt_resolution=source.size))
    return clips


def detector_clips(model, source: VideoSource, progress: bool = False) -> Iterator[Tuple[Dict, Dict]]:
    """``(clip, batch)`` for each clip of ``source`` a tube detector predicts, one decoded at a time: the clip's
    fields (``frame_ids`` 1-based, ``frame_valid``, ``gt_resolution``: the pixels its boxes come back in) and the
    clip through the config's test pipeline as a batch of one. The oracle gets its test dataset's clips of the video
    (with their ground truth); any other detector consecutive clips of its length over the whole video."""
    clips = _oracle_clips(model, source)
    if clips is None:
        clips = _sliding_clips(model, source)
        if getattr(model, 'dataset_meta', None) is None:
            _annotation_classes(model)
    pipeline = Compose(source.pipeline(test_pipeline(model.cfg)))
    if progress:
        from tqdm import tqdm
        clips = tqdm(clips, desc=f'{source.name}: clips', unit='clip')
    for clip in clips:
        keep = {k: v for k, v in clip.items()
                if k not in ('filename', 'frame_dir', 'filename_tmpl', 'total_frames', 'frame_inds', 'start_index')}
        frame_ids = np.asarray(clip['frame_ids'])
        yield clip, pseudo_collate([pipeline(source.results(**keep, frame_inds=frame_ids - 1 + source.start_index))])


def _detect_tubes(model, source: VideoSource, score_thr: float, link_iou: float, progress: bool) -> Dict:
    linker = TubeLinker(score_thr, link_iou)
    for clip, batch in detector_clips(model, source, progress):
        frame_ids = np.asarray(clip['frame_ids'])
        with torch.no_grad():
            pred = model.test_step(batch)[0].pred_instances
        # predictions are in the annotation's pixels (gt_resolution): the video's own unless an annotation says so
        boxes = rescale_tube_boxes(pred.bboxes.float().cpu().numpy(), tuple(clip['gt_resolution']), source.size)
        linker.add_clip(frame_ids - 1, np.asarray(clip['frame_valid'], bool), boxes, pred.scores.float().cpu().numpy())
    tubes = linker.tubes()
    for tube in tubes:
        tube['name'] = _class_name(model, tube['label'])
    return dict(tubes=tubes, clips=linker.clips)


def _annotation_classes(model) -> None:
    """Class names of a detector from its test annotation, where that file exists (else names stay indices)."""
    from ..datasets import load_act_annotations
    ann_file = model.cfg.test_dataloader.dataset.get('ann_file')
    if ann_file and osp.isfile(ann_file) and str(ann_file).endswith('.pkl'):
        model.dataset_meta = dict(classes=list(load_act_annotations(ann_file)['labels']))


class TubeLinker:
    """Tubes of a video from per-clip query tubes.

    In each clip a query is an actor in the frames where its best class score reaches ``score_thr``. A query
    that is an actor in the clip's last frame continues into the next clip through the new query whose first
    frame's box overlaps its last box most (Hungarian on IoU, at least ``link_iou``); any other query starts a
    new tube. A tube's class is the one with the highest summed score over its frames.
    """

    def __init__(self, score_thr: float = 0.3, link_iou: float = 0.3):
        self.score_thr, self.link_iou = score_thr, link_iou
        self._tubes: List[Dict] = []
        self._open: Dict[int, int] = {}  # query of the previous clip -> tube, for queries alive at its end
        self.clips = 0

    def add_clip(self, frames: np.ndarray, valid: np.ndarray, boxes: np.ndarray, scores: np.ndarray) -> None:
        """``frames (T, )`` 0-based indices, ``valid (T, )``, ``boxes (Q, T, 4)``, ``scores (Q, T, C)``."""
        self.clips += 1
        alive = (scores.max(-1) >= self.score_thr) & valid[None]  # (Q, T)
        real = np.flatnonzero(valid)
        first, last = real[0], real[-1]
        continued = self._continue(boxes, alive, first)
        self._open = {}
        for query in np.flatnonzero(alive.any(1)):
            tube = continued.get(query)
            if tube is None:
                tube = len(self._tubes)
                self._tubes.append(dict(frames=[], boxes=[], scores=[]))
            for t in np.flatnonzero(alive[query]):
                self._tubes[tube]['frames'].append(int(frames[t]))
                self._tubes[tube]['boxes'].append(boxes[query, t])
                self._tubes[tube]['scores'].append(scores[query, t])
            if alive[query, last]:
                self._open[query] = tube

    def _continue(self, boxes, alive, first) -> Dict[int, int]:
        starting = np.flatnonzero(alive[:, first])
        if not self._open or not len(starting):
            return {}
        ending = list(self._open.items())
        previous = np.stack([self._tubes[tube]['boxes'][-1] for _, tube in ending])
        iou = pairwise_box_iou(previous, boxes[starting, first])
        rows, cols = linear_sum_assignment(-iou)
        return {int(starting[c]): ending[r][1] for r, c in zip(rows, cols) if iou[r, c] >= self.link_iou}

    def tubes(self) -> List[Dict]:
        out = []
        for index, tube in enumerate(self._tubes):
            scores = np.stack(tube['scores'])
            label = int(scores.sum(0).argmax())
            out.append(dict(id=index, label=label, score=float(scores[:, label].mean()), frames=tube['frames'],
                            boxes=[[round(float(v), 2) for v in box] for box in tube['boxes']],
                            frame_scores=[round(float(s), 4) for s in scores[:, label]],
                            frame_labels=[int(c) for c in scores.argmax(1)]))
        return out


__all__ = ['init_model', 'inference', 'is_tube_detector', 'test_pipeline', 'recognizer_batch',
           'detector_clips', 'TubeLinker']
