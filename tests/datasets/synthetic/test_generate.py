"""Files written by the motion demo generator: determinism, formats, consistency of boxes and labels."""
import csv
import hashlib
import os
import os.path as osp
import pickle

import numpy as np
import pytest

from mmaction_ext.datasets.synthetic import MOTION_CLASSES, generate_classification, generate_detection
from mmaction_ext.datasets.transforms import open_video

SMALL = dict(num_classes=3, train_per_class=2, val_per_class=1, num_frames=8, size=32, fps=8, progress=False)
DET = dict(num_classes=4, num_train=3, num_val=2, num_frames=32, height=48, width=64, fps=8, progress=False)


def _digest(root):
    digest = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                digest[osp.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return digest


def test_classification_is_deterministic_by_seed(tmp_path):
    a = _digest(generate_classification(str(tmp_path / 'a'), seed=5, **SMALL) and str(tmp_path / 'a'))
    b = _digest(generate_classification(str(tmp_path / 'b'), seed=5, **SMALL) and str(tmp_path / 'b'))
    c = _digest(generate_classification(str(tmp_path / 'c'), seed=6, **SMALL) and str(tmp_path / 'c'))
    assert a == b
    videos = [k for k in a if k.endswith('.mp4')]
    assert len(videos) == 9 and all(a[k] != c[k] for k in videos)


def test_a_clip_does_not_depend_on_dataset_size(tmp_path):
    small = generate_classification(str(tmp_path / 's'), seed=1, **SMALL)
    big = generate_classification(str(tmp_path / 'b'), seed=1, **dict(SMALL, train_per_class=3))
    assert small['train_per_class'] == 2 and big['train_per_class'] == 3
    name = f'videos/train/{MOTION_CLASSES[1]}_0001.mp4'
    assert _digest(str(tmp_path / 's'))[name] == _digest(str(tmp_path / 'b'))[name]


def test_classification_annotations_and_videos(tmp_path):
    root = str(tmp_path)
    generate_classification(root, seed=0, **SMALL)
    with open(osp.join(root, 'classes.txt')) as f:
        assert f.read().split() == list(MOTION_CLASSES[:3])
    for split, per_class in (('train', 2), ('val', 1)):
        with open(osp.join(root, f'{split}_list.txt')) as f:
            rows = [line.split() for line in f]
        assert len(rows) == 3 * per_class
        assert sorted(int(label) for _, label in rows) == sorted(list(range(3)) * per_class)
        for relpath, label in rows:
            assert MOTION_CLASSES[int(label)] in relpath
            reader = open_video(osp.join(root, relpath), backends=('decord', ))
            assert len(reader) == 8 and reader.fps == pytest.approx(8)
            assert reader.get_batch([0]).shape == (1, 32, 32, 3)


def test_regeneration_is_skipped_when_up_to_date(tmp_path, capsys):
    root = str(tmp_path)
    generate_classification(root, seed=0, **SMALL)
    stamp = os.stat(osp.join(root, 'train_list.txt')).st_mtime_ns
    generate_classification(root, seed=0, **SMALL)
    assert 'up to date' in capsys.readouterr().out
    assert os.stat(osp.join(root, 'train_list.txt')).st_mtime_ns == stamp


def test_invalid_sizes_are_rejected(tmp_path):
    with pytest.raises(ValueError, match='num_classes'):
        generate_classification(str(tmp_path), **dict(SMALL, num_classes=13))
    with pytest.raises(ValueError, match='multiples of 4'):
        generate_classification(str(tmp_path / 'odd'), **dict(SMALL, size=34))


@pytest.fixture(scope='module')
def detection(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('det'))
    generate_detection(root, seed=0, rawframes=True, **DET)
    with open(osp.join(root, 'motion_demo-GT.pkl'), 'rb') as f:
        return root, pickle.load(f)


def test_detection_ground_truth_is_act_format(detection):
    root, gt = detection
    assert set(gt) == {'labels', 'gttubes', 'nframes', 'train_videos', 'test_videos', 'resolution'}
    assert gt['labels'] == list(MOTION_CLASSES[:4])
    assert gt['train_videos'] == [['train_0000', 'train_0001', 'train_0002']]
    assert gt['test_videos'] == [['val_0000', 'val_0001']]
    num_tubes = 0
    for video, tubes in gt['gttubes'].items():
        assert gt['nframes'][video] == 32 and gt['resolution'][video] == (48, 64)
        assert len(open_video(osp.join(root, 'videos', video + '.mp4'))) == 32
        for label, items in tubes.items():
            assert 0 <= label < 4
            for tube in items:
                num_tubes += 1
                assert tube.dtype == np.float32 and tube.shape[1] == 5
                frames = tube[:, 0]
                assert frames[0] >= 1 and frames[-1] <= 32 and np.all(np.diff(frames) == 1)  # 1-based, contiguous
                x1, y1, x2, y2 = tube[:, 1:].T
                assert np.all((0 <= x1) & (x1 < x2) & (x2 <= 64) & (0 <= y1) & (y1 < y2) & (y2 <= 48))
    assert num_tubes >= 5  # 5 clips with 2-3 actors, most of which act


def test_detection_boxes_cover_the_actor_in_the_frames(detection):
    """The box of a tube must contain the (moving) actor: pixels there change, outside is scene."""
    root, gt = detection
    video = gt['train_videos'][0][0]
    frames = open_video(osp.join(root, 'videos', video + '.mp4')).get_batch(range(32)).astype(np.float32)
    for tubes in gt['gttubes'][video].values():
        for tube in tubes:
            frame, x1, y1, x2, y2 = tube[len(tube) // 2]
            crop = frames[int(frame) - 1, int(np.ceil(y1)):int(y2), int(np.ceil(x1)):int(x2)]
            # Actor patterns are saturated two-colour stripes; the scene is low-contrast blur.
            assert crop.std() > 40, (video, frame, crop.std())


def test_detection_ava_rows_match_the_tubes(detection):
    root, gt = detection
    for split, videos in (('train', gt['train_videos'][0]), ('val', gt['test_videos'][0])):
        with open(osp.join(root, f'ava_{split}.csv')) as f:
            rows = list(csv.reader(f))
        assert rows, split
        for video, second, x1, y1, x2, y2, action, actor in rows:
            assert video in videos
            frame = int(second) * 8 + 1  # keyframe, 1-based like the tubes
            box = np.array([float(x1), float(y1), float(x2), float(y2)]) * [64, 48, 64, 48]
            tubes = gt['gttubes'][video][int(action) - 1]
            matches = [t[t[:, 0] == frame, 1:] for t in tubes if frame in t[:, 0]]
            assert any(np.abs(m[0] - box).max() < 0.1 for m in matches), (video, second, action)
        with open(osp.join(root, f'ava_proposals_{split}.pkl'), 'rb') as f:
            proposals = pickle.load(f)
        assert all(p.shape[1] == 5 and np.all(p[:, 4] == 1) for p in proposals.values())


def test_detection_label_map_reads_with_mmaction(detection):
    from mmaction.evaluation.functional.ava_utils import read_labelmap
    root, _ = detection
    with open(osp.join(root, 'action_list.pbtxt')) as f:
        labelmap, ids = read_labelmap(f)
    assert [item['name'] for item in labelmap] == list(MOTION_CLASSES[:4]) and sorted(ids) == [1, 2, 3, 4]


def test_detection_rawframes(detection):
    root, gt = detection
    video = gt['test_videos'][0][0]
    names = sorted(os.listdir(osp.join(root, 'rawframes', video)))
    assert len(names) == 32 and names[0] == 'img_00001.jpg'


def test_class_names_only(tmp_path):
    from mmaction_ext.datasets.synthetic.generate import main
    main([str(tmp_path), '--flavour', 'classes', '--class-indices', '8', '11', '--classes-file', 'unseen.txt'])
    assert (tmp_path / 'unseen.txt').read_text() == 'approach\noscillate_vertical\n'
    main([str(tmp_path), '--flavour', 'classes', '--num-classes', '3'])
    assert (tmp_path / 'classes.txt').read_text().split() == list(MOTION_CLASSES[:3])
    with pytest.raises(ValueError, match=r'class indices \[12\] are not in \[0, 12\)'):
        main([str(tmp_path), '--flavour', 'classes', '--class-indices', '12'])
