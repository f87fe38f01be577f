"""Tube transforms keep frames and per-frame boxes in sync (checked on the pixels), and pack clips."""
import os
import os.path as osp
import pickle
import warnings

import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope

from mmaction_ext.datasets import ActionTubeDataset
from mmaction_ext.datasets.transforms import (PackTubeInputs, TubeCenterCrop, TubeFlip, TubeRandomCrop,
                                              TubeRandomResizedCrop, TubeResize, VideoBackendFallbackWarning)


def painted_clip(boxes, labels, height=60, width=80):
    """Frames that are 255 inside each labelled box and 0 elsewhere; boxes on integer pixels."""
    frames = np.zeros((boxes.shape[1], height, width, 3), np.uint8)
    for actor_boxes, actor_labels in zip(boxes, labels):
        for t, ((x1, y1, x2, y2), label) in enumerate(zip(actor_boxes.astype(int), actor_labels)):
            if label >= 0:
                frames[t, y1:y2, x1:x2] = 255
    return dict(imgs=list(frames), img_shape=(height, width), original_shape=(height, width),
                gt_resolution=(height, width), modality='RGB', gt_tube_bboxes=boxes.astype(np.float32),
                gt_tube_labels=labels)


def assert_boxes_cover_the_bright_pixels(results, tolerance=2.0):
    imgs = np.stack(results['imgs'])[..., 0]
    for t in range(len(imgs)):
        ys, xs = np.nonzero(imgs[t] > 127)
        present = results['gt_tube_labels'][:, t] >= 0
        if not present.any():
            assert len(xs) == 0
            continue
        (x1, y1, x2, y2), = results['gt_tube_bboxes'][present, t]
        np.testing.assert_allclose([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], [x1, y1, x2, y2],
                                   atol=tolerance)


@pytest.fixture
def clip():
    boxes = np.array([[[10, 10, 30, 40], [12, 10, 32, 40], [60, 20, 80, 50], [0, 0, 0, 0]]], np.float32)
    labels = np.array([[3, 3, 3, -1]])
    return boxes, labels


@pytest.mark.parametrize('seed', range(5))
def test_random_pipeline_keeps_frames_and_boxes_in_sync(clip, seed):
    np.random.seed(seed)
    pipeline = Compose([TubeRandomResizedCrop(area_range=(0.3, 1.0)), TubeResize(scale=(64, 48), keep_ratio=False),
                        TubeFlip(flip_ratio=0.5)])
    results = pipeline(painted_clip(*clip))
    assert results['imgs'][0].shape[:2] == (48, 64)
    assert_boxes_cover_the_bright_pixels(results, tolerance=64 / 20 + 1)  # resize blur, in output pixels


def test_center_crop_clips_and_drops_boxes(clip):
    results = TubeCenterCrop(crop_size=40)(painted_clip(*clip))  # crop x 20..60, y 10..50
    np.testing.assert_allclose(results['gt_tube_bboxes'][0, :2], [[0, 0, 10, 30], [0, 0, 12, 30]])
    # The third box (x 60..80) leaves the crop: background, zero box.
    assert results['gt_tube_labels'][0].tolist() == [3, 3, -1, -1]
    np.testing.assert_array_equal(results['gt_tube_bboxes'][0, 2], 0)
    assert_boxes_cover_the_bright_pixels(results, tolerance=0)


def test_random_crop_and_vertical_flip_exact(clip):
    np.random.seed(0)
    results = Compose([TubeRandomCrop(size=50), TubeFlip(flip_ratio=1.0, direction='vertical')])(painted_clip(*clip))
    assert_boxes_cover_the_bright_pixels(results, tolerance=0)


def test_boxes_follow_frames_decoded_at_another_resolution(clip):
    """340x256 videos with 320x240 annotations (UCF101-24): boxes are rescaled to the frames first."""
    results = painted_clip(*clip)
    results['gt_resolution'] = (30, 40)  # the annotation was made at half the size
    results['gt_tube_bboxes'] = results['gt_tube_bboxes'] / 2
    results = TubeResize(scale=(40, 30), keep_ratio=False)(results)
    np.testing.assert_allclose(results['gt_tube_bboxes'][0, 0], [5, 5, 15, 20])


def test_lazy_mode_is_refused(clip):
    with pytest.raises(ValueError, match='lazy=True is not supported'):
        TubeResize(scale=(40, 30), lazy=True)(painted_clip(*clip))


def test_pack_keeps_present_actors_and_metainfo(clip):
    boxes, labels = clip
    boxes = np.concatenate([boxes, np.zeros_like(boxes)])
    labels = np.concatenate([labels, np.full_like(labels, -1)])  # an actor absent from the whole clip
    results = painted_clip(boxes, labels)
    results.update(video_id='v', frame_ids=np.arange(1, 5), frame_valid=np.ones(4, bool),
                   imgs=np.zeros((1, 3, 4, 60, 80), np.float32))
    packed = PackTubeInputs()(results)
    sample = packed['data_samples']
    assert tuple(packed['inputs'].shape) == (1, 3, 4, 60, 80)
    assert tuple(sample.gt_instances.bboxes.shape) == (1, 4, 4)
    assert sample.gt_instances.labels.tolist() == [[3, 3, 3, -1]]
    assert sample.metainfo['video_id'] == 'v' and sample.metainfo['frame_valid'].all()


def test_real_ucf_clip_through_the_dataset_and_pipeline(ucf24_act, shared_data, tmp_path):
    """A real UCF101-24 test video (340x256 file, 320x240 annotations, decord cannot open it) with
    its real tube: the packed boxes are the annotation scaled to the decoded and resized frames. The default
    backends read it with torchcodec, without falling back."""
    init_default_scope('mmaction')
    _, annos = ucf24_act
    video = 'Basketball/v_Basketball_g01_c02'
    subset = dict(annos, test_videos=[[video]])
    path = tmp_path / 'gt.pkl'
    path.write_bytes(pickle.dumps(subset))
    pipeline = [dict(type='VideoInit'), dict(type='VideoDecode'), dict(type='TubeResize', scale=(170, 128),
                                                                        keep_ratio=False),
                dict(type='FormatShape', input_format='NCTHW'), dict(type='PackTubeInputs')]
    # The shared clip lies flat: link it into the UCF101 layout (class folder / video).
    (tmp_path / 'Basketball').mkdir()
    os.symlink(osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', 'v_Basketball_g01_c02.mp4'),
               tmp_path / f'{video}.mp4')
    dataset = ActionTubeDataset(str(path), pipeline, clip_len=32, sampling='sliding', test_mode=True,
                                data_prefix=dict(video=str(tmp_path)))
    with warnings.catch_warnings():
        warnings.simplefilter('error', VideoBackendFallbackWarning)
        packed = dataset[2]  # frames 65-96: the tube (64-111) covers all of them
    sample = packed['data_samples']
    assert tuple(packed['inputs'].shape) == (1, 3, 32, 128, 170)
    (tube, ) = annos['gttubes'][video][0]
    expected = tube[(tube[:, 0] >= 65) & (tube[:, 0] <= 96), 1:] * np.array([170 / 320, 128 / 240] * 2)
    np.testing.assert_allclose(sample.gt_instances.bboxes[0].numpy(), expected, rtol=1e-5)
    assert (sample.gt_instances.labels == 0).all()
