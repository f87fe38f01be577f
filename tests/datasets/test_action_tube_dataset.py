"""Tube datasets: clip sampling, tube targets, the JHMDB / UCF101-24 presets on real annotations and clips."""
import os.path as osp
import pickle

import numpy as np
import pytest

from mmaction_ext.datasets import ActionTubeDataset, JHMDBTubeDataset, UCF24TubeDataset, read_per_frame_gt
from mmaction_ext.datasets.action_tube_dataset import clip_frame_ids


def test_clip_frame_ids_whole_video_centre_padded():
    ((clip, valid), ) = clip_frame_ids(5, 9, 'whole')
    np.testing.assert_array_equal(clip, [1, 1, 1, 2, 3, 4, 5, 5, 5])
    np.testing.assert_array_equal(valid, [0, 0, 1, 1, 1, 1, 1, 0, 0])
    ((clip, valid), ) = clip_frame_ids(4, 7, 'whole')  # odd padding: the extra frame goes to the end
    np.testing.assert_array_equal(clip, [1, 1, 2, 3, 4, 4, 4])
    np.testing.assert_array_equal(clip[valid], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="12 frames > clip_len=10"):
        clip_frame_ids(12, 10, 'whole')


def test_clip_frame_ids_sliding_covers_the_video_once():
    clips = clip_frame_ids(10, 4, 'sliding')
    np.testing.assert_array_equal(np.stack([c for c, _ in clips]), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 10, 10]])
    valid = np.concatenate([v for _, v in clips])
    np.testing.assert_array_equal(np.concatenate([c for c, _ in clips])[valid], np.arange(1, 11))
    with pytest.raises(ValueError, match='unknown sampling'):
        clip_frame_ids(10, 4, 'random')


def test_jhmdb_per_frame_ground_truth(shared_data, tmp_path):
    annos = read_per_frame_gt(osp.join(shared_data, 'yowov2_ucf_jhmdb', 'groundtruths_jhmdb.zip'),
                              [f'class{i}' for i in range(21)])
    videos = annos['test_videos'][0]
    assert len(videos) == 268
    assert sum(len(t) for v in videos for tubes in annos['gttubes'][v].values() for t in tubes) == 9126
    path = tmp_path / 'JHMDB-GT.pkl'
    path.write_bytes(pickle.dumps(annos))
    dataset = JHMDBTubeDataset(str(path), [], data_prefix=dict(img=str(tmp_path)), subset='test', test_mode=True)
    assert len(dataset) == 268  # one 40-frame clip per (<= 40-frame) video
    for info in (dataset.get_data_info(i) for i in range(len(dataset))):
        assert info['frame_ids'].shape == (40, ) and info['frame_valid'].sum() == annos['nframes'][info['video_id']]
        labels = info['gt_tube_labels']
        assert labels.shape[1] == 40 and ((labels >= 0) <= info['frame_valid']).all()  # padding is background
    first = dataset.get_data_info(0)
    assert first['frame_dir'] == osp.join(str(tmp_path), first['video_id'])
    assert first['frame_inds'][first['frame_valid']][0] == 1  # rawframes are 1-based


def test_ucf24_dataset_clips_and_tube_labels(ucf24_act):
    path, annos = ucf24_act
    dataset = UCF24TubeDataset(path, [], data_prefix=dict(video='videos'), subset='test', test_mode=True)
    videos = annos['test_videos'][0]
    assert len(dataset) == sum(-(-annos['nframes'][v] // 32) for v in videos)
    clips = [dataset.get_data_info(i) for i in range(len(dataset)) if
             dataset.get_data_info(i)['video_id'] == 'Basketball/v_Basketball_g01_c02']
    # 180 frames -> 6 clips centred on the video: 12 padding frames, 6 before the first clip and 6 after the last
    assert [c['clip_index'] for c in clips] == list(range(6))
    assert clips[0]['frame_valid'].sum() == clips[-1]['frame_valid'].sum() == 32 - 6
    assert clips[0]['frame_ids'][:7].tolist() == [1] * 7 and clips[1]['frame_ids'][0] == 27
    labelled = np.concatenate([c['frame_ids'][(c['gt_tube_labels'] >= 0).any(0)] for c in clips])
    np.testing.assert_array_equal(labelled, np.arange(64, 112))
    assert clips[0]['gt_tube_labels'].shape == (0, 32)  # no actor in frames 1-26
    assert clips[0]['filename'] == osp.join('videos', 'Basketball/v_Basketball_g01_c02.mp4')
    assert clips[0]['frame_inds'][0] == 0  # videos are 0-based


def test_rawframes_and_videos_give_the_same_clip(tmp_path):
    """The demo's detection flavour written both as mp4 and as JPEG rawframes: the two data paths
    decode the same frames (up to compression) with identical tube targets."""
    from mmengine.registry import init_default_scope

    from mmaction_ext.datasets.synthetic import generate_detection
    init_default_scope('mmaction')
    root = str(tmp_path / 'det')
    generate_detection(root, num_train=1, num_val=1, num_frames=20, height=48, width=64, rawframes=True,
                       progress=False)
    tail = [dict(type='FormatShape', input_format='NCTHW'), dict(type='PackTubeInputs')]
    common = dict(ann_file=osp.join(root, 'motion_demo-GT.pkl'), clip_len=8, sampling='sliding', test_mode=True)
    videos = ActionTubeDataset(pipeline=[dict(type='VideoInit'), dict(type='VideoDecode'), *tail],
                               data_prefix=dict(video=osp.join(root, 'videos')), **common)
    frames = ActionTubeDataset(pipeline=[dict(type='RawFrameDecode'), *tail], filename_tmpl='img_{:05d}.jpg',
                               data_prefix=dict(img=osp.join(root, 'rawframes')), **common)
    assert len(videos) == len(frames) == 3  # 20 frames -> 8 + 8 + 4 (padded)
    for a, b in zip(videos, frames):
        assert a['inputs'].shape == b['inputs'].shape == (1, 3, 8, 48, 64)
        # H.264 vs JPEG differ by ~2.4 grey levels on average; a one-frame shift gives ~9.
        assert (a["inputs"].float() - b["inputs"].float()).abs().mean() < 4
        assert (a['data_samples'].gt_instances.bboxes == b['data_samples'].gt_instances.bboxes).all()
        assert (a['data_samples'].gt_instances.labels == b['data_samples'].gt_instances.labels).all()


@pytest.mark.parametrize('frames,expected', [
    # N = 100, clip 32: P = 28 padding frames, 14 before the first clip and 14 after the last (CSA's UCF grid)
    (100, [(-13, 18), (19, 50), (51, 82), (83, 114)]),
    # N a multiple of 32: the released code pads a whole clip, half before: frames 49-64 are in no clip
    (64, [(-15, 16), (17, 48)]),
    (20, [(-5, 26)]),
])
def test_centred_clip_grid(frames, expected):
    from mmaction_ext.datasets.action_tube_dataset import clip_frame_ids
    clips = clip_frame_ids(frames, 32, 'centred')
    assert len(clips) == len(expected)
    for (ids, valid), (first, last) in zip(clips, expected):
        wanted = np.arange(first, last + 1)
        np.testing.assert_array_equal(ids, np.clip(wanted, 1, frames))  # padding repeats the first / last frame
        np.testing.assert_array_equal(valid, (wanted >= 1) & (wanted <= frames))
