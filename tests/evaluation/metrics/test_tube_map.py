"""FrameMAP / VideoMAP metrics (model outputs -> numbers), bad input, real UCF101-24 ground truth, AVA reuse."""
import csv
import os.path as osp
import pickle

import numpy as np
import pytest
import torch

from mmaction_ext.datasets import UCF24TubeDataset
from mmaction_ext.evaluation import FrameMAP, VideoMAP


def write_act(path, gttubes, nframes, num_classes=3):
    videos = sorted(gttubes)
    annos = dict(labels=[f'c{i}' for i in range(num_classes)], gttubes=gttubes, nframes=nframes,
                 train_videos=[[]], test_videos=[videos], resolution={v: (100, 100) for v in videos})
    with open(path, 'wb') as f:
        pickle.dump(annos, f)
    return str(path)


def perfect_samples(dataset, num_classes, shift=0.0):
    """Model outputs that predict every GT tube of every clip (class score 1 where labelled)."""
    samples = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        boxes = info['gt_tube_bboxes'].astype(np.float64).copy()
        width = boxes[..., 2] - boxes[..., 0]
        boxes[..., 0] += shift * width
        boxes[..., 2] += shift * width
        scores = np.zeros((*info['gt_tube_labels'].shape, num_classes))
        actor, frame = np.nonzero(info['gt_tube_labels'] >= 0)
        scores[actor, frame, info['gt_tube_labels'][actor, frame]] = 1.0
        samples.append(dict(video_id=info['video_id'], frame_ids=torch.from_numpy(info['frame_ids']),
                            frame_valid=torch.from_numpy(info['frame_valid']),
                            pred_instances=dict(bboxes=torch.from_numpy(boxes), scores=torch.from_numpy(scores))))
    return samples


def evaluate(metric, samples):
    metric.process([], samples)
    return metric.compute_metrics(metric.results)


@pytest.fixture
def small_act(tmp_path):
    box = np.array([10, 10, 30, 40], np.float32)
    gttubes = {'v1': {0: [np.c_[np.arange(1, 11), np.tile(box, (10, 1))]]},
               'v2': {1: [np.c_[np.arange(3, 8), np.tile(box + 40, (5, 1))]],
                      0: [np.c_[np.arange(1, 6), np.tile(box, (5, 1))]]}}
    return write_act(tmp_path / 'gt.pkl', gttubes, {'v1': 10, 'v2': 7})


def test_perfect_predictions_score_100_and_padding_is_ignored(small_act):
    dataset = UCF24TubeDataset(small_act, [], data_prefix=dict(video='x'), clip_len=4, test_mode=True)
    samples = perfect_samples(dataset, 3)
    for sample in samples:  # confident garbage on padded frames must not count
        padded = ~sample['frame_valid'].numpy()
        sample['pred_instances']['bboxes'][:, padded] = torch.tensor([60.0, 60, 90, 90], dtype=torch.float64)
        sample['pred_instances']['scores'][:, padded] = 1.0
    assert evaluate(FrameMAP(small_act), samples) == {'frame_mAP@0.5': 100.0}
    assert evaluate(FrameMAP(small_act, convention='act'), samples) == {'frame_mAP@0.5': 100.0}
    short = dict(min_length=1)  # the tubes here last 5 and 10 frames; ACT / MultiSports drop < 15
    for convention, linking in (('voc', None), ('act', None), ('act', 'viterbi')):
        videos = evaluate(VideoMAP(small_act, convention=convention, linking=linking, link_options=short), samples)
        assert set(videos) == {'video_mAP@0.2', 'video_mAP@0.5', 'video_mAP@0.75', 'video_mAP@0.5:0.95'}
        assert all(v == 100.0 for v in videos.values())
    assert evaluate(VideoMAP(small_act), samples)['video_mAP@0.2'] == 0.0  # no tube lasts 15 frames


def test_csa_video_map_links_whole_videos_and_trims_one_frame_late(small_act):
    """CSA's protocol on exact predictions (the hand computation): each tube spans its whole video, then
    is cut to as many frames as have detections, starting one frame after the first of them.
    v1 (10 frames), class 0 on 1-10 -> tube 2-10: ST-IoU 9/10. v2 (7 frames), class 0 on 1-5 -> 2-6: 4/6;
    class 1 on 3-7 -> 4-7: 4/5. At 0.5 all match; at 0.75 class 0 has TP, FP (AP 1/2), class 1 TP: 75."""
    dataset = UCF24TubeDataset(small_act, [], data_prefix=dict(video='x'), clip_len=4, test_mode=True)
    samples = perfect_samples(dataset, 3)
    for sample in samples:
        sample['pred_instances']['actor_scores'] = sample['pred_instances']['scores'].amax(-1)
    metric = VideoMAP(small_act, convention='csa', iou_thrs=(0.5, 0.75), average_range=False, argmax_class_only=True,
                      actor_score_thr=0.7)
    assert evaluate(metric, samples) == {'video_mAP@0.5': 100.0, 'video_mAP@0.75': 75.0}
    for sample in samples:  # below the actor gate: no detection is left
        sample['pred_instances']['actor_scores'] *= 0.5
    assert evaluate(VideoMAP(small_act, convention='csa', argmax_class_only=True, actor_score_thr=0.7),
                    samples)['video_mAP@0.2'] == 0.0
    samples[0]['pred_instances']['actor_scores'] = samples[0]['pred_instances']['actor_scores'][:, :2]
    with pytest.raises(ValueError, match=r"video 'v1'.*actor_scores of shape \(1, 2\), expected \(1, 4\)"):
        VideoMAP(small_act, convention='csa', actor_score_thr=0.7).process([], samples[:1])
    del samples[0]['pred_instances']['actor_scores']
    with pytest.raises(ValueError, match=r"video 'v1'.*actor_score_thr=0.7 needs pred_instances.actor_scores"):
        VideoMAP(small_act, convention='csa', actor_score_thr=0.7).process([], samples[:1])
    with pytest.raises(ValueError, match="FrameMAP: convention 'csa' defines video-mAP only"):
        FrameMAP(small_act, convention='csa')


def test_missing_video_counts_as_missed_and_is_logged(small_act):
    dataset = UCF24TubeDataset(small_act, [], data_prefix=dict(video='x'), clip_len=4, test_mode=True)
    samples = [s for s in perfect_samples(dataset, 3) if s['video_id'] == 'v1']
    # Class 0: v1's 10 boxes found, v2's 5 missed -> AP 10/15; class 1 (only in v2) -> 0.
    assert evaluate(FrameMAP(small_act), samples)['frame_mAP@0.5'] == pytest.approx(100 * (10 / 15) / 2, abs=1e-4)


@pytest.mark.parametrize('edit, message', [
    (lambda s: s.update(video_id='v9'), "video 'v9': not a test video"),
    (lambda s: s['frame_ids'].add_(20), 'frame 21 outside 1-10'),
    (lambda s: s['pred_instances']['scores'].__setitem__((0, 1, 0), float('nan')), 'non-finite scores for tube 0 at frame 2'),
    (lambda s: s['pred_instances']['bboxes'].__setitem__((0, 2, 1), float('inf')), 'non-finite bboxes for tube 0 at frame 3'),
    (lambda s: s['pred_instances']['bboxes'].__setitem__((0, 3), torch.tensor([30.0, 0, 10, 5])), 'x2 < x1'),
    (lambda s: s['pred_instances'].update(scores=torch.zeros(1, 4, 2)), r'scores of shape \(1, 4, 2\), expected \(1, 4, 3\)'),
])
def test_bad_predictions_are_named(small_act, edit, message):
    # clips from frame 1 (the 'sliding' grid), so that the messages' frame numbers follow the edited positions
    dataset = UCF24TubeDataset(small_act, [], data_prefix=dict(video='x'), clip_len=4, sampling='sliding',
                               test_mode=True)
    sample = perfect_samples(dataset, 3)[0]
    edit(sample)
    with pytest.raises(ValueError, match=message):
        FrameMAP(small_act).process([], [sample])


def test_overlapping_clips_are_refused(small_act):
    dataset = UCF24TubeDataset(small_act, [], data_prefix=dict(video='x'), clip_len=4, test_mode=True)
    sample = perfect_samples(dataset, 3)[0]
    metric = FrameMAP(small_act)
    metric.process([], [sample, sample])
    with pytest.raises(ValueError, match="video 'v1' frame 1 predicted by two clips"):
        metric.compute_metrics(metric.results)


def test_real_ucf101_24_ground_truth_known_iou(ucf24_act, tmp_path):
    """40 real split-1 test videos with one tube per class: exact tubes -> 100; boxes shifted by 20% of
    their width have IoU 0.8 / 1.2 = 0.67 -> still 100 at 0.5, 0 at 0.7 (frames) and at 0.75 (videos).

    Videos with several same-class actors are left out here: dancing couples overlap by more than the
    3D-NMS threshold (0.3), so even exact tubes lose one of the pair there (by design of the protocol).
    """
    _, annos = ucf24_act
    single = [v for v in annos['test_videos'][0] if all(len(t) == 1 for t in annos['gttubes'][v].values())]
    videos = single[::17][:40]
    path = tmp_path / 'ucf_subset.pkl'
    path.write_bytes(pickle.dumps(dict(annos, test_videos=[videos])))
    dataset = UCF24TubeDataset(str(path), [], data_prefix=dict(img='frames'), test_mode=True)
    exact, shifted = perfect_samples(dataset, 24), perfect_samples(dataset, 24, shift=0.2)
    assert evaluate(FrameMAP(str(path)), exact)['frame_mAP@0.5'] == 100.0
    assert evaluate(FrameMAP(str(path)), shifted)['frame_mAP@0.5'] == 100.0
    assert evaluate(FrameMAP(str(path), iou_thr=0.7), shifted)['frame_mAP@0.7'] == 0.0
    bridging = dict(convention='act', linking='viterbi')  # ours: no tube breaks on a fast-moving actor
    video_exact = evaluate(VideoMAP(str(path), **bridging), exact)
    video_shifted = evaluate(VideoMAP(str(path), average_range=False, **bridging), shifted)
    assert video_exact['video_mAP@0.5:0.95'] == 100.0
    assert video_shifted['video_mAP@0.5'] == 100.0 and video_shifted['video_mAP@0.75'] == 0.0
    # ACT's / MultiSports' linking ends a tube wherever consecutive boxes overlap by less than 0.5, which
    # real annotations do (v_PoleVault_g07_c03 at frame 188, v_Skiing_g06_c07 at 42 and 78, ...): exact
    # predictions lose tubes there.
    greedy = evaluate(VideoMAP(str(path)), exact)
    assert greedy['video_mAP@0.2'] == pytest.approx(96.71, abs=0.01)
    assert greedy['video_mAP@0.5:0.95'] == pytest.approx(83.06, abs=0.01)


def test_ava_reuses_mmaction_metric_with_its_known_value(shared_data, tmp_path, monkeypatch):
    """MMAction2's AVAMetric on its eval_detection fixture: mAP 0.09385522 (also what the official
    ActivityNet evaluator gives on these files)."""
    from mmaction.evaluation import AVAMetric
    root = osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'eval_detection')
    groups = {}
    with open(osp.join(root, 'pred.csv')) as f:
        for video, second, x1, y1, x2, y2, action, score in csv.reader(f):
            boxes = groups.setdefault((video, int(second)), {})
            boxes.setdefault((float(x1), float(y1), float(x2), float(y2)), np.zeros(4))[int(action)] = float(score)
    samples = [dict(video_id=video, timestamp=second,
                    pred_instances=dict(bboxes=torch.tensor(list(boxes)),
                                        scores=torch.tensor(np.stack(list(boxes.values())), dtype=torch.float32)))
               for (video, second), boxes in groups.items()]
    monkeypatch.chdir(tmp_path)  # AVAMetric writes its temporary csv into the working directory
    metric = AVAMetric(ann_file=osp.join(root, 'gt.csv'), exclude_file=None,
                       label_file=osp.join(root, 'action_list.txt'), num_classes=4)
    assert evaluate(metric, samples)['overall'] == pytest.approx(0.09385522, abs=1e-8)


def test_real_jhmdb_ground_truth_through_the_whole_video_preset(shared_data, tmp_path):
    """JHMDB-21 split-1 test ground truth (YOWO's per-frame files, 268 videos): each video is one
    centre-padded 40-frame clip; exact predictions score 100 and the padded frames never count."""
    from mmaction_ext.datasets import JHMDBTubeDataset, read_per_frame_gt
    annos = read_per_frame_gt(osp.join(shared_data, 'yowov2_ucf_jhmdb', 'groundtruths_jhmdb.zip'),
                              [f'class{i}' for i in range(21)])
    path = tmp_path / 'JHMDB-GT.pkl'
    path.write_bytes(pickle.dumps(annos))
    samples = perfect_samples(JHMDBTubeDataset(str(path), [], data_prefix=dict(img='x'), test_mode=True), 21)
    assert evaluate(FrameMAP(str(path)), samples)['frame_mAP@0.5'] == 100.0
    assert evaluate(VideoMAP(str(path), convention='act', linking='viterbi'), samples)['video_mAP@0.5:0.95'] == 100.0


def test_video_map_checks_its_linking_at_build(small_act):
    """A typo in link_options fails when the metric is built, not after a whole test epoch."""
    with pytest.raises(ValueError, match="VideoMAP: unknown 'viterbi' link option 'max_gapp'; did you mean 'max_gap'"):
        VideoMAP(small_act, linking='viterbi', link_options=dict(max_gapp=0))
    with pytest.raises(ValueError, match="VideoMAP: unknown 'greedy' link option 'max_gap'"):
        VideoMAP(small_act, link_options=dict(max_gap=0))  # 'voc' links greedily
    with pytest.raises(ValueError, match="unknown linking 'hungarian'"):
        VideoMAP(small_act, linking='hungarian')
    from mmaction.registry import METRICS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    with pytest.raises(ValueError, match="'greedy' link option 'nms_thr'; did you mean 'frame_nms_thr'"):
        METRICS.build(dict(type='VideoMAP', ann_file=small_act, linking='greedy', link_options=dict(nms_thr=0.5)))
