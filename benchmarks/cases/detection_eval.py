"""Evaluation time of frame-mAP and video-mAP on all 910 UCF101-24 split-1 test videos (real ground
truth), ours vs MMAction2's MultiSports evaluation functions on the same detections."""
import os
import os.path as osp

import numpy as np

from . import Case, Variant, Workload, register_case

SHARED = os.environ.get('MMACTION_EXT_SHARED_DATA',
                        osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), '..', 'shared', 'data'))


def ucf24_predictions(quick=False, seed=0):
    """ACT ground truth of UCF101-24 split 1 and per-frame detections: every ground-truth box with
    its corners jittered by up to 10% of the box size (score 0.3-1), plus one false positive per
    annotated frame (a random box of a random class, score 0-0.7). ``quick``: 40 videos."""
    import warnings

    from mmaction_ext.datasets import convert_ucf24_pyannot
    folder = osp.join(SHARED, 'ucf101_24_corrected_annots')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the 6 unannotated training videos, irrelevant here
        annos = convert_ucf24_pyannot(osp.join(folder, 'pyannot_with_class_names.pkl'),
                                      osp.join(folder, 'testlist01.txt'))
    if quick:
        annos['test_videos'] = [annos['test_videos'][0][::23][:40]]
    rng = np.random.default_rng(seed)
    rows = []
    for index, video in enumerate(annos['test_videos'][0]):
        for label, tubes in annos['gttubes'][video].items():
            for tube in tubes:
                size = np.tile(tube[:, 3:5] - tube[:, 1:3], 2)
                boxes = tube[:, 1:5] + rng.uniform(-0.1, 0.1, size.shape) * size
                boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2] + 1)
                scores = rng.uniform(0.3, 1.0, len(tube))
                rows.append(np.c_[np.full(len(tube), index), tube[:, 0], np.full(len(tube), label), scores, boxes])
                corner = rng.uniform(0, 240, (len(tube), 2))
                fp_boxes = np.c_[corner, corner + rng.uniform(20, 80, (len(tube), 2))]
                rows.append(np.c_[np.full(len(tube), index), tube[:, 0], rng.integers(0, 24, len(tube)),
                                  rng.uniform(0, 0.7, len(tube)), fp_boxes])
    return annos, np.concatenate(rows)


def _variant(evaluate):

    def build(quick=False):
        import mmaction_ext  # noqa: F401
        annos, detections = ucf24_predictions(quick)
        report = {}

        def step():
            report['mAP'] = evaluate(annos, detections)

        return Workload(step=step, unit=f'evaluation of {len(annos["test_videos"][0])} videos '
                        f'({len(detections)} detections)', report=lambda: f"mAP {report['mAP']:.2f}")

    return Variant(build=build)


def _ours_frame(annos, detections):
    from mmaction_ext.evaluation.functional import frame_ap
    return 100 * frame_ap(annos['gttubes'], annos['test_videos'][0], detections, 24)[0]


def _ours_video(annos, detections):
    from mmaction_ext.evaluation.functional import build_video_tubes, video_ap
    videos = annos['test_videos'][0]
    tubes = build_video_tubes(detections, len(videos), 24)
    return 100 * video_ap(annos['gttubes'], videos, tubes, 24, (0.5, ))[0.5][0]


def _mmaction_frame(annos, detections):
    from mmaction.evaluation.functional.multisports_utils import frameAP
    return frameAP(annos, detections, 0.5, print_info=False)


def _mmaction_video(annos, detections):
    from mmaction.evaluation.functional.multisports_utils import link_tubes, videoAP
    tubes = link_tubes(annos, detections, len_thre=15)
    return videoAP(annos, tubes, 0.5, print_info=False)


DESCRIPTION = ('Frame-mAP@0.5 / video-mAP@0.5 evaluation time for all 910 UCF101-24 split-1 test videos '
               '(corrected annotations from `shared/data`): every ground-truth box jittered by up to 10% '
               '(score 0.3-1) plus one false positive per annotated frame. Target: < 60 s each. The mAP '
               'columns differ by design (conventions, linking), see docs/detection_eval.md. ')

register_case('detection_eval_frame_map', Case(
    description=DESCRIPTION + "Ours: `frame_ap` (what FrameMAP runs); peer: MMAction2's MultiSports `frameAP`.",
    peer='mmaction multisports frameAP',
    variants={'mmaction multisports frameAP': _variant(_mmaction_frame), 'ours frame_ap': _variant(_ours_frame)},
    repeats=3, warmup=0))

register_case('detection_eval_video_map', Case(
    description=DESCRIPTION + "Ours: Viterbi linking + 3D-NMS + `video_ap` (what VideoMAP runs); peer: "
    "MMAction2's MultiSports `link_tubes` (greedy) + `videoAP`.",
    peer='mmaction multisports link_tubes+videoAP',
    variants={'mmaction multisports link_tubes+videoAP': _variant(_mmaction_video),
              'ours viterbi linking + video_ap': _variant(_ours_video)},
    repeats=1, warmup=0))
