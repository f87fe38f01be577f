"""The frame-feature store and LoadFrameFeatureTargets: targets follow the sampled frames, errors name the file."""
import json

import numpy as np
import pytest
from mmaction.datasets.transforms import CenterCrop, Flip

from mmaction_ext.datasets.transforms import LoadFrameFeatureTargets, SampleAllFrames


@pytest.fixture()
def store(tmp_path):
    """Two videos (10 and 6 frames), feature of frame f of video v = [v, f, f, f] (exact in float16)."""
    rows = [[v, f, f, f] for v, count in ((0, 10), (1, 6)) for f in range(count)]
    np.save(tmp_path / 'features.npy', np.array(rows, dtype=np.float16))
    index = dict(dim=4, videos={'a/v0.mp4': [0, 10, True], 'b/v1.mp4': [10, 6, True], 'c/v2.mp4': [16, 0, False]})
    (tmp_path / 'index.json').write_text(json.dumps(index))
    return str(tmp_path)


def test_targets_follow_the_sampled_frames(store):
    load = LoadFrameFeatureTargets(store)
    target = load(dict(filename='/data/root/a/v0.mp4', frame_inds=np.array([1, 3, 5]), clip_len=3,
                       start_index=0))['recon_target']
    np.testing.assert_array_equal(target, [[0, 1, 1, 1], [0, 3, 3, 3], [0, 5, 5, 5]])
    shifted = load(dict(filename='b/v1.mp4', frame_inds=np.array([2, 3, 4]), clip_len=3))['recon_target']
    np.testing.assert_array_equal(shifted[:, 1], [2, 3, 4])
    one_based = load(dict(filename='b/v1.mp4', frame_inds=np.array([3, 4, 5]), clip_len=3,
                          start_index=1))['recon_target']
    np.testing.assert_array_equal(one_based, shifted)
    assert target.dtype == np.float32


def test_crop_and_flip_leave_the_targets_alone(store):
    results = dict(filename='a/v0.mp4', frame_inds=np.array([0, 2]), clip_len=2,
                   imgs=[np.zeros((8, 8, 3), np.uint8)] * 2, img_shape=(8, 8), modality='RGB')
    results = LoadFrameFeatureTargets(store)(results)
    before = results['recon_target'].copy()
    results = Flip(flip_ratio=1.0)(CenterCrop(crop_size=4)(results))
    np.testing.assert_array_equal(results['recon_target'], before)


def test_errors_name_the_video_and_the_store(store, tmp_path):
    load = LoadFrameFeatureTargets(store)
    with pytest.raises(KeyError, match=r'x/missing\.mp4: no features in .*tools/extract_features.py'):
        load(dict(filename='x/missing.mp4', frame_inds=np.array([0]), clip_len=1))
    with pytest.raises(IndexError, match=r'b/v1\.mp4: frames 4\.\.6 asked, but .* holds 6 frames'):
        load(dict(filename='b/v1.mp4', frame_inds=np.array([4, 5, 6]), clip_len=3))
    with pytest.raises(KeyError, match='not written yet'):
        load(dict(filename='c/v2.mp4', frame_inds=np.array([0]), clip_len=1))
    with pytest.raises(KeyError, match='put it after SampleFrames'):
        load(dict(filename='a/v0.mp4'))
    with pytest.raises(FileNotFoundError, match='is not a frame-feature store'):
        LoadFrameFeatureTargets(str(tmp_path / 'nowhere'))(dict(filename='a', frame_inds=np.array([0])))


def test_sample_all_frames():
    results = SampleAllFrames()(dict(total_frames=5, start_index=1))
    np.testing.assert_array_equal(results['frame_inds'], [1, 2, 3, 4, 5])
    assert results['clip_len'] == 5 and results['num_clips'] == 1
