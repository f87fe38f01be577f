"""The motion demo rendered on the fly: reproducible, new clips per epoch, the file generator's validation set."""
import numpy as np
import pytest
import torch
from mmaction.registry import DATASETS
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope

from mmaction_ext.datasets import EpochIndexSampler, MotionDemoDataset
from mmaction_ext.datasets.synthetic import generate_classification
from mmaction_ext.datasets.synthetic.scene import DIFFICULTIES, ClassificationClip

init_default_scope('mmaction')

SAMPLE = [dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1, test_mode=True),
          dict(type='ArrayDecode'), dict(type='FormatShape', input_format='NCTHW'), dict(type='PackActionInputs')]


def build(**kwargs):
    cfg = dict(type='MotionDemoDataset', pipeline=SAMPLE, num_classes=3, clips_per_class=2, num_frames=16, size=32)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_samples_are_reproducible_and_new_every_epoch():
    first, again = build(), build()
    n = len(first)
    assert n == 6
    for idx in (0, 5, n + 3, 4 * n + 1):
        a, b = first[idx], again[idx]
        assert torch.equal(a['inputs'], b['inputs'])
        assert int(a['data_samples'].gt_label) == int(b['data_samples'].gt_label)
    # Sample i of epoch 1 keeps its label but is another clip; another seed gives other clips.
    for i in range(n):
        assert int(first[i]['data_samples'].gt_label) == int(first[n + i]['data_samples'].gt_label) == i // 2
        assert not torch.equal(first[i]['inputs'], first[n + i]['inputs'])
        assert not torch.equal(first[i]['inputs'], build(seed=1)[i]['inputs'])


def test_only_the_sampled_frames_are_drawn_and_they_equal_the_whole_clip():
    rng = lambda: np.random.default_rng([0, 1, 2])  # noqa: E731
    clip = ClassificationClip(rng(), 4, 16, 32)
    whole = clip[np.arange(16)]
    assert whole.shape == (16, 32, 32, 3) and whole.dtype == np.uint8
    np.testing.assert_array_equal(ClassificationClip(rng(), 4, 16, 32)[np.array([3, 9])], whole[[3, 9]])
    np.testing.assert_array_equal(clip[-1], whole[15])
    with pytest.raises(IndexError, match='frame 16 out of range for a clip of 16 frames'):
        clip[16]


def test_validation_set_is_the_file_generators(tmp_path):
    """An online validation clip equals the decoded file clip up to the codec (x264 at crf 15, 4:2:0 chroma: a
    few grey levels on average), and is far from every other clip of the files."""
    generate_classification(str(tmp_path), num_classes=3, train_per_class=1, val_per_class=2, num_frames=16,
                            size=64, progress=False)
    files = DATASETS.build(dict(
        type='VideoDataset', ann_file=str(tmp_path / 'val_list.txt'), data_prefix=dict(video=str(tmp_path)),
        pipeline=[dict(type='PyAVInit'), SAMPLE[0], dict(type='PyAVDecode')] + SAMPLE[2:], test_mode=True))
    online = build(split='val', test_mode=True, size=64)
    assert len(files) == len(online) == 6
    decoded = [files[i] for i in range(6)]
    for i in range(6):
        sample = online[i]
        errors = [(d['inputs'].float() - sample['inputs'].float()).abs().mean().item() for d in decoded]
        assert int(decoded[i]['data_samples'].gt_label) == int(sample['data_samples'].gt_label)
        assert errors[i] < 8.0, errors
        assert min(e for j, e in enumerate(errors) if j != i) > 3 * errors[i], errors
    assert online.get_data_info(3)['filename'] == 'videos/val/move_right_fast_0001.mp4'


def test_sampler_carries_the_epoch_through_persistent_workers():
    dataset = build(pipeline=SAMPLE)
    sampler = EpochIndexSampler(dataset, shuffle=True, seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=6, sampler=sampler, num_workers=1,
                                         persistent_workers=True, collate_fn=pseudo_collate)
    epochs = []
    for epoch in range(2):
        sampler.set_epoch(epoch)
        assert sorted(sampler) == [epoch * 6 + i for i in range(6)]
        batch = next(iter(loader))
        order = np.argsort([int(s.gt_label) * 10 + k for k, s in enumerate(batch['data_samples'])])
        epochs.append(torch.stack([batch['inputs'][k] for k in order]))
    assert not torch.equal(epochs[0], epochs[1])
    # What the workers rendered is what the dataset gives for those indices in this process.
    expected = torch.stack([dataset[6 + i]['inputs'] for i in range(6)])
    assert sorted(float(x.float().sum()) for x in epochs[1]) == sorted(float(x.float().sum()) for x in expected)


def test_difficulty_ladder_changes_the_scene_not_the_actor():
    clips = {d: ClassificationClip(np.random.default_rng(9), 6, 16, 64, d) for d in DIFFICULTIES}
    for clip in clips.values():
        np.testing.assert_array_equal(clip.track.x, clips['full'].track.x)
        np.testing.assert_array_equal(clip.track.angle, clips['full'].track.angle)
        np.testing.assert_array_equal(clip.pattern, clips['full'].pattern)
    assert [len(c.scene.distractors) for c in clips.values()] == [0, 0, 1, 3]
    static = clips['static'].scene
    np.testing.assert_array_equal(static.frame(0), static.frame(9))  # nothing but the actor moves
    moving = clips['moving_background'].scene
    assert not static.background_shift.any() and moving.background_shift[-1].any()
    assert np.abs(moving.frame(0) - moving.frame(15)).max() > 0.05


@pytest.mark.parametrize('kwargs, message', [
    (dict(difficulty='hard'), "unknown difficulty 'hard'; expected one of"),
    (dict(split='test'), "split must be 'train' or 'val', got 'test'"),
    (dict(num_classes=13), r'num_classes must be in \[1, 12\], got 13'),
    (dict(clips_per_class=0), 'need clips_per_class >= 1'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build(**kwargs)


def test_class_subsets_relabel_and_keep_each_clip():
    full = build(num_classes=12, clips_per_class=1)
    unseen = build(class_indices=[8, 11], clips_per_class=1, split='val')
    assert len(unseen) == 2 and unseen.metainfo['classes'] == ('approach', 'oscillate_vertical')
    assert [int(unseen[i]['data_samples'].gt_label) for i in range(2)] == [0, 1]
    full_val = build(num_classes=12, clips_per_class=1, split='val')
    assert torch.equal(unseen[1]['inputs'], full_val[11]['inputs'])
    assert not torch.equal(unseen[1]['inputs'], full[11]['inputs'])  # another split, another stream
    with pytest.raises(ValueError, match=r'class_indices must be distinct indices .* got \[3, 3\]'):
        build(class_indices=[3, 3])


def test_registered_and_exported():
    assert DATASETS.get('MotionDemoDataset') is MotionDemoDataset


def build_tubes(**kwargs):
    cfg = dict(type='MotionDemoTubeDataset', pipeline=[dict(type='ArrayDecode')], num_videos=3, num_frames=16,
               height=64, width=96, clip_len=8)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_tube_dataset_is_the_generators_detection_data(tmp_path):
    import pickle

    from mmaction_ext.datasets.synthetic import generate_detection
    from mmaction_ext.datasets.transforms import open_video
    generate_detection(str(tmp_path), num_train=1, num_val=3, num_frames=16, height=64, width=96, progress=False)
    with open(tmp_path / 'motion_demo-GT.pkl', 'rb') as f:
        files = pickle.load(f)
    online = build_tubes(split='val', test_mode=True)
    annos = online.metainfo['act_annotations']
    assert annos['test_videos'] == files['test_videos'] and annos['labels'] == files['labels']
    for video in annos['test_videos'][0]:
        assert sorted(annos['gttubes'][video]) == sorted(files['gttubes'][video])
        for label, tubes in annos['gttubes'][video].items():
            for ours, theirs in zip(tubes, files['gttubes'][video][label]):
                np.testing.assert_array_equal(ours, theirs)
    assert len(online) == 6  # 3 videos x two 8-frame clips
    sample = online[1]  # the second clip of test video 0: frames 9-16
    assert sample['video_id'] == 'val_0000' and list(sample['frame_ids']) == list(range(9, 17))
    decoded = open_video(str(tmp_path / 'videos' / 'val_0000.mp4')).get_batch(list(range(8, 16)))
    error = np.abs(np.stack(sample['imgs']).astype(float) - np.asarray(decoded, float)).mean()
    assert error < 8.0, error


def test_tube_dataset_draws_new_videos_every_epoch():
    dataset, again = build_tubes(), build_tubes()
    first, later = dataset[0], dataset[len(dataset) + 0]
    np.testing.assert_array_equal(first['imgs'][0], again[0]['imgs'][0])
    np.testing.assert_array_equal(later['gt_tube_labels'], again[len(dataset)]['gt_tube_labels'])
    assert not np.array_equal(first['imgs'][0], later['imgs'][0])
    assert first['video_id'] == later['video_id'] and later['epoch'] == 1


def test_tube_metrics_read_the_datasets_ground_truth():
    from mmaction.registry import METRICS
    metric = METRICS.build(dict(type='FrameMAP'))
    with pytest.raises(ValueError, match="no ann_file, and the dataset gives no ground truth"):
        metric.process({}, [])
    metric.dataset_meta = build_tubes(split='val', test_mode=True).metainfo
    assert metric.videos == ['val_0000', 'val_0001', 'val_0002'] and metric.num_classes == 12


AVA_PIPELINE = [dict(type='SampleAVAFrames', clip_len=8, frame_interval=1, test_mode=True), dict(type='ArrayDecode')]


def build_ava(**kwargs):
    cfg = dict(type='MotionDemoAVADataset', pipeline=AVA_PIPELINE, num_videos=3, num_frames=24, fps=8, height=64,
               width=96)
    cfg.update(kwargs)
    return DATASETS.build(cfg)


def test_ava_dataset_is_the_generators_ava_data(tmp_path):
    """Keyframes, boxes, labels and actors of the online AVA flavour are what MMAction2's AVADataset reads from the
    generator's files; the keyframe's pixels are the rawframe's within JPEG error."""
    import csv

    import cv2
    from mmaction.datasets import AVADataset

    from mmaction_ext.datasets.synthetic import generate_detection
    generate_detection(str(tmp_path), num_train=1, num_val=3, num_frames=24, height=64, width=96, fps=8,
                       rawframes=True, progress=False)
    files = AVADataset(str(tmp_path / 'ava_val.csv'), [], label_file=str(tmp_path / 'action_list.pbtxt'),
                       data_prefix=dict(img=str(tmp_path / 'rawframes')), num_classes=13, timestamp_start=0,
                       timestamp_end=3, fps=8, test_mode=True)
    online = build_ava(split='val', test_mode=True)
    assert len(online) == len(files) > 3
    scale = np.array([96, 64, 96, 64], np.float32)
    for i in range(len(files)):
        theirs, ours = files.get_data_info(i), online.get_data_info(i)
        assert ours['img_key'] == theirs['img_key'] and ours['timestamp'] == theirs['timestamp']
        np.testing.assert_array_equal(ours['gt_labels'], theirs['gt_labels'])
        np.testing.assert_array_equal(ours['entity_ids'], theirs['entity_ids'])
        np.testing.assert_allclose(ours['gt_bboxes'], theirs['gt_bboxes'] * scale, rtol=1e-6)
    with open(tmp_path / 'ava_val.csv') as f:
        assert [[str(v) for v in row] for row in online.metainfo['ava_annotations']] == list(csv.reader(f))
    sample = online[0]  # keyframe 1 of val_0000: frame 8 (0-based), the centre of frames 4-11
    assert list(sample['frame_inds']) == list(range(4, 12))
    keyframe = cv2.imread(str(tmp_path / 'rawframes' / 'val_0000' / 'img_00009.jpg'))[..., ::-1]
    assert np.abs(sample['imgs'][4].astype(float) - keyframe).mean() < 4.0


def test_ava_dataset_draws_new_videos_every_epoch_and_keeps_its_slots():
    dataset, again = build_ava(), build_ava()
    first, later = dataset[0], dataset[len(dataset)]
    assert later['epoch'] == 1 and later['img_key'] == first['img_key']  # same slot (video, second), new drawing
    assert not np.array_equal(first['imgs'][0], later['imgs'][0])
    np.testing.assert_array_equal(later['imgs'][3], again[len(dataset)]['imgs'][3])
    np.testing.assert_array_equal(later['gt_bboxes'], again[len(dataset)]['gt_bboxes'])
    # every later-epoch keyframe carries that drawing's actors, boxes inside the frame, labels multi-hot
    for i in range(len(dataset), 3 * len(dataset)):
        info = dataset.render(i)
        assert info['gt_bboxes'].shape == (len(info['gt_labels']), 4) and info['gt_labels'].shape[1:] == (13, )
        assert (info['gt_labels'].sum(1) >= 1).all() and (info['gt_labels'][:, 0] == 0).all()
        assert (info['gt_bboxes'] >= 0).all() and (info['gt_bboxes'][:, 2] <= 96).all()
    with_proposals = build_ava(with_proposals=True)[0]
    assert with_proposals['proposals'].shape[1] == 4 and len(with_proposals['proposals']) >= len(first['gt_bboxes'])
    # each ground-truth box is one of the proposals (every actor's box at the keyframe)
    gaps = np.abs(with_proposals['proposals'][None] - with_proposals['gt_bboxes'][:, None]).max(-1).min(1)
    assert (gaps < 0.1).all(), gaps


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_frames=8), r'num_frames > fps \(a keyframe at second 1\)'),
    (dict(num_actors=(3, 2)), r'1 <= num_actors\[0\] <= num_actors\[1\]'),
    (dict(split='test'), "MotionDemoAVADataset: split must be 'train' or 'val'"),
    (dict(custom_classes=[1, 2]), 'custom_classes needs an AVA label file'),
])
def test_ava_dataset_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_ava(**kwargs)


def _ava_predictions(dataset, jitter=0.0, seed=0):
    """AVA-style predictions (normalised boxes, ``(n, 13)`` scores) for every keyframe of ``dataset``: its ground
    truth, boxes moved by up to ``jitter`` of the frame and a random class score added."""
    from mmengine.structures import InstanceData
    rng = np.random.default_rng(seed)
    samples = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        boxes = info['gt_bboxes'] / np.array([96, 64, 96, 64], np.float32)
        boxes = np.clip(boxes + rng.uniform(-jitter, jitter, boxes.shape), 0, 1)
        scores = info['gt_labels'] + rng.uniform(0, 1.5 * bool(jitter), info['gt_labels'].shape)
        samples.append(dict(video_id=info['video_id'], timestamp=info['timestamp'], pred_instances=InstanceData(
            bboxes=torch.tensor(boxes, dtype=torch.float32), scores=torch.tensor(scores, dtype=torch.float32))))
    return samples


def test_online_ava_metric_scores_the_datasets_ground_truth_as_avametric_scores_the_files(tmp_path):
    from mmaction.registry import METRICS

    from mmaction_ext.datasets.synthetic import generate_detection
    generate_detection(str(tmp_path), num_train=1, num_val=3, num_frames=24, height=64, width=96, fps=8,
                       progress=False)
    online = build_ava(split='val', test_mode=True)
    for files_without in (dict(num_classes=13), dict(label_file='labels.pbtxt')):
        with pytest.raises(ValueError, match='needs its label_file and num_classes'):
            METRICS.build(dict(type='OnlineAVAMetric', ann_file='gt.csv', **files_without))
    metric = METRICS.build(dict(type='OnlineAVAMetric'))
    with pytest.raises(ValueError, match="no ann_file, and the dataset gives no ground truth"):
        metric.process({}, [])
    metric.dataset_meta = online.metainfo
    assert metric.num_classes == 13
    metric.process({}, _ava_predictions(online))
    assert metric.evaluate(len(online))['mAP/overall'] == pytest.approx(1.0)  # the ground truth itself
    noisy = _ava_predictions(online, jitter=0.08)
    metric.process({}, noisy)
    ours = metric.evaluate(len(online))
    files = METRICS.build(dict(type='AVAMetric', ann_file=str(tmp_path / 'ava_val.csv'), exclude_file=None,
                               label_file=str(tmp_path / 'action_list.pbtxt'), num_classes=13))
    files.process({}, noisy)
    theirs = files.evaluate(len(online))
    assert 0.05 < ours['mAP/overall'] < 0.95
    assert ours['mAP/overall'] == theirs['mAP/overall'] and ours['mAP/person_movement'] == theirs['mAP/person_movement']


def test_a_background_keyframe_of_a_later_epoch_trains_the_tiny_csa():
    """Some later-epoch keyframes have no acting actor (their slot was drawn anew): the AVA config's detector
    takes them as all no-object (finite class / confidence losses, no box loss) and gets gradients."""
    from mmaction.registry import MODELS
    from mmengine.config import Config

    from helpers import REPO_ROOT
    cfg = Config.fromfile(f'{REPO_ROOT}/configs/csa/csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-ava-online.py')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    empty = [i for i in range(len(dataset), 3 * len(dataset)) if len(dataset.render(i)['gt_bboxes']) == 0]
    assert len(empty) >= 2
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).train()
    data = model.data_preprocessor(pseudo_collate([dataset[empty[0]], dataset[empty[1]]]), True)
    losses = model(**data, mode='loss')
    assert losses['loss_bbox'] == 0 and losses['loss_giou'] == 0
    assert torch.isfinite(losses['loss_cls']) and losses['loss_cls'] > 0 and losses['loss_conf'] > 0
    sum(losses.values()).backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.backbone.parameters())
