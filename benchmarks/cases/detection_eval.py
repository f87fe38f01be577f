"""Evaluation time of frame-mAP and video-mAP on all 910 UCF101-24 split-1 test videos (real ground
truth), ours vs MMAction2's MultiSports evaluation functions on the same detections."""
import os
import os.path as osp
import sys

from . import Case, Variant, Workload, register_case

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SHARED = os.environ.get('MMACTION_EXT_SHARED_DATA', osp.join(REPO, '..', 'shared', 'data'))


def ucf24_predictions(quick=False, seed=0):
    """ACT ground truth of UCF101-24 split 1 and the seeded perturbed detections of the parity tests
    (``perturbed_tube_detections``). ``quick``: 2 videos per class."""
    import warnings

    from mmaction_ext.datasets import convert_ucf24_pyannot
    from mmaction_ext.datasets.synthetic import perturbed_tube_detections, ucf24_test_subset
    folder = osp.join(SHARED, 'ucf101_24_corrected_annots')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # the 6 unannotated training videos, irrelevant here
        annos = convert_ucf24_pyannot(osp.join(folder, 'pyannot_with_class_names.pkl'),
                                      osp.join(folder, 'testlist01.txt'))
    if quick:
        annos['test_videos'] = [ucf24_test_subset(annos, 2)]
    videos = annos['test_videos'][0]
    return annos, perturbed_tube_detections(annos['gttubes'], videos, annos['nframes'], 24, seed=seed)


def _variant(evaluate):

    def build(quick=False):
        import mmaction_ext  # noqa: F401
        annos, detections = ucf24_predictions(quick)
        report = {}

        def step():
            report['mAP'] = evaluate(annos, detections)

        return Workload(step=step, unit=f'evaluation of {len(annos["test_videos"][0])} videos '
                        f'({len(detections)} detections)', report=lambda: f"mAP {report['mAP']:.4f}")

    return Variant(build=build)


def _ours_frame(convention):

    def evaluate(annos, detections):
        from mmaction_ext.evaluation.functional import frame_ap
        return 100 * frame_ap(annos['gttubes'], annos['test_videos'][0], detections, 24, convention=convention)[0]

    return evaluate


def _ours_video(convention):

    def evaluate(annos, detections):
        from mmaction_ext.evaluation.functional import build_video_tubes, video_ap
        videos = annos['test_videos'][0]
        tubes = build_video_tubes(detections, len(videos), 24, convention,
                                  num_frames=[annos['nframes'][video] for video in videos])
        return 100 * video_ap(annos['gttubes'], videos, tubes, 24, (0.5, ), convention)[0.5][0]

    return evaluate


def _multisports():
    """MMAction2's multisports_utils with its stale-score bug fixed (tests/helpers/multisports.py)."""
    sys.path.insert(0, osp.join(REPO, 'tests'))
    from helpers.multisports import patch_multisports
    return patch_multisports(setattr)


def _mmaction_frame(annos, detections):
    return _multisports().frameAP(annos, detections, 0.5, print_info=False)


def _mmaction_video(annos, detections):
    multisports = _multisports()
    tubes = multisports.link_tubes(annos, detections, len_thre=15)
    return multisports.videoAP(annos, tubes, 0.5, print_info=False)


DESCRIPTION = ('Frame-mAP@0.5 / video-mAP@0.5 evaluation time for all 910 UCF101-24 split-1 test videos '
               '(corrected annotations from `shared/data`) with the seeded perturbed detections of the parity '
               'tests (`perturbed_tube_detections`: jittered boxes, misses, confusions, duplicates, over-extended '
               'tubes, false-positive tracks and boxes). Targets: frame-mAP <= 1.0x, video-mAP <= 0.5x the peer. '
               "Convention 'voc' must give the peer's mAP exactly; 'act' and 'csa' are other evaluators, "
               'timed for reference. ')

register_case('detection_eval_frame_map', Case(
    description=DESCRIPTION + "Ours: `frame_ap` (what FrameMAP runs); peer: MMAction2's MultiSports `frameAP`.",
    peer='mmaction multisports frameAP',
    variants={'mmaction multisports frameAP': _variant(_mmaction_frame),
              "ours frame_ap 'voc'": _variant(_ours_frame('voc')),
              "ours frame_ap 'act'": _variant(_ours_frame('act'))},
    repeats=3, warmup=0))

register_case('detection_eval_video_map', Case(
    description=DESCRIPTION + "Ours: `build_video_tubes` + `video_ap` (what VideoMAP runs); peer: MMAction2's "
    'MultiSports `link_tubes` + `videoAP`, its stale-score bug fixed (`tests/helpers/multisports.py`).',
    peer='mmaction multisports link_tubes+videoAP',
    variants={'mmaction multisports link_tubes+videoAP': _variant(_mmaction_video),
              "ours 'voc' (greedy linking)": _variant(_ours_video('voc')),
              "ours 'act' (greedy linking, 3D NMS)": _variant(_ours_video('act')),
              "ours 'csa' (whole-video Viterbi)": _variant(_ours_video('csa'))},
    repeats=1, warmup=0))
