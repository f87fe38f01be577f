"""The augmentations of official training code that MMAction2 lacks, against their definitions: CSA's HSV jitter,
PCA lighting and aspect-preserving crop (hand-computed cases of the training code's arithmetic), timm's
RandAugment applied per clip, Video-FocalNets' per-frame colour jitter."""
import random

import numpy as np
import pytest

from mmaction_ext.datasets.transforms import (AspectRandomCrop, ClipColorJitter, ClipRandAugment, HSVJitter,
                                              PCALighting, TubeAspectRandomCrop)


def test_hsv_jitter_shifts_opencv_hsv():
    # (200, 100, 50) is HSV (10, 191, 200) in OpenCV's units; +10 hue, -102 saturation, +30 value -> (20, 89, 230),
    # which is RGB (230, 203, 150) (hand conversion: V = 230, min = 230 (1 - 89/255) = 149.7, hue 40 degrees)
    frame = np.full((2, 3, 3), (200, 100, 50), np.uint8)
    out = HSVJitter.shift_frame(frame, (10, -102, 30))
    assert np.abs(out.astype(int) - (230, 203, 150)).max() <= 1
    # hue wraps on OpenCV's 0-179 scale, saturation and value clip
    wrapped = HSVJitter.shift_frame(frame, (175, 200, -255))
    assert (wrapped == 0).all()  # value 0 is black whatever the hue


def test_hsv_jitter_draws_integers_in_range_once_per_clip():
    np.random.seed(0)
    jitter = HSVJitter(hue=10, saturation=102, value=102)
    draws = np.array([jitter.shifts() for _ in range(2000)])
    assert draws[:, 0].min() == -10 and draws[:, 0].max() == 10
    assert draws[:, 1].min() == -102 and draws[:, 1].max() == 102
    frames = [np.random.randint(0, 256, (4, 5, 3), np.uint8)] * 3
    out = jitter(dict(imgs=frames))['imgs']
    assert all(np.array_equal(out[0], o) for o in out[1:])  # one draw for the whole clip


def test_pca_lighting_matches_the_hand_computed_case():
    lighting = PCALighting()
    alpha = np.array([0.1, -0.2, 0.05])
    # delta_k = sum_j eigvec[k, j] alpha_j eigval_j = (-0.0404, -0.0222, 0.0228); RGB channel c gets delta[2 - c]
    assert lighting.delta(alpha) == pytest.approx([0.0228, -0.0222, -0.0404], abs=1e-4)
    np.random.seed(0)
    original = np.random.normal
    try:
        np.random.normal = lambda *args, **kwargs: alpha
        out = lighting(dict(imgs=[np.full((1, 1, 3), (230, 203, 150), np.uint8)]))['imgs'][0]
    finally:
        np.random.normal = original
    assert out[0, 0].tolist() == [230, 202, 149]  # truncated to uint8, as the training code writes it back


@pytest.mark.parametrize('shape,size,crop', [((288, 512), 256, (256, 455)),  # AVA 1280x720 at short side 288
                                             ((256, 341), 224, (224, 298)),  # UCF101-24 320x240 at 256
                                             ((288, 384), 256, (256, 341)),  # JHMDB 320x240 at 288
                                             ((400, 300), 256, (341, 256)),  # portrait
                                             ((200, 300), 256, (200, 300))])  # smaller than the crop: whole frame
def test_aspect_crop_size(shape, size, crop):
    assert AspectRandomCrop(size).crop_size(shape) == crop


def test_aspect_crop_moves_boxes_and_covers_every_offset():
    crop = AspectRandomCrop(256)
    np.random.seed(0)
    offsets = set()
    for _ in range(400):
        frames = [np.zeros((288, 512, 3), np.uint8)] * 2
        box = np.array([[51., 57., 256., 259.]], np.float32)
        out = crop(dict(imgs=frames, img_shape=(288, 512), gt_bboxes=box.copy()))
        x1, y1, x2, y2 = out['crop_bbox']
        assert (x2 - x1, y2 - y1) == (455, 256) and out['img_shape'] == (256, 455)
        assert all(f.shape == (256, 455, 3) for f in out['imgs'])
        expected = box - [x1, y1, x1, y1]
        # MMAction2's box crop clips to the last pixel (w - 1, h - 1)
        np.testing.assert_allclose(out['gt_bboxes'], np.clip(expected, 0, [454, 255, 454, 255]), atol=1e-4)
        offsets.add((x1, y1))
    xs, ys = zip(*offsets)
    assert min(xs) == 0 and max(xs) == 512 - 455 and min(ys) == 0 and max(ys) == 288 - 256


def test_tube_aspect_crop_moves_tube_boxes():
    np.random.seed(1)
    boxes = np.array([[[51., 57., 256., 259.], [60., 57., 265., 259.]]], np.float32)  # (A, T, 4)
    results = dict(imgs=[np.zeros((288, 512, 3), np.uint8)] * 2, img_shape=(288, 512), original_shape=(288, 512),
                   gt_resolution=(288, 512), gt_tube_bboxes=boxes.copy(), gt_tube_labels=np.zeros((1, 2), np.int64))
    out = TubeAspectRandomCrop(256)(results)
    x1, y1 = out['crop_bbox'][:2]
    np.testing.assert_allclose(out['gt_tube_bboxes'], boxes - [x1, y1, x1, y1], atol=1e-4)


def _frames(seed, count=3, same=False):
    rng = np.random.default_rng(seed)
    first = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    return [first.copy() if same else rng.integers(0, 256, (24, 32, 3), dtype=np.uint8) for _ in range(count)]


def test_clip_rand_augment_is_timms_on_each_frame_with_one_draw():
    from PIL import Image
    from timm.data.auto_augment import rand_augment_transform
    from timm.data.transforms import str_to_pil_interp
    augment = ClipRandAugment('rand-m7-n4-mstd0.5-inc1')
    timm_aug = rand_augment_transform('rand-m7-n4-mstd0.5-inc1',
                                      dict(img_mean=(128, 128, 128), interpolation=str_to_pil_interp('bicubic')))
    frames = _frames(0)
    for seed in range(20):
        random.seed(seed)
        np.random.seed(seed)
        out = augment(dict(imgs=list(frames)))['imgs']
        for frame, result in zip(frames, out):  # every frame: timm's transform with the clip's random draws
            random.seed(seed)
            np.random.seed(seed)
            assert np.array_equal(result, np.asarray(timm_aug(Image.fromarray(frame))))
    # identical frames stay identical; the random state moves on between clips
    same = _frames(1, same=True)
    random.seed(3)
    np.random.seed(3)
    clips = [augment(dict(imgs=list(same)))['imgs'] for _ in range(10)]
    assert all(np.array_equal(clip[0], frame) for clip in clips for frame in clip)
    assert len({clip[0].tobytes() for clip in clips}) > 1


def test_clip_rand_augment_rejects_other_policies():
    with pytest.raises(ValueError, match='RandAugment string'):
        ClipRandAugment('v0')


def test_clip_color_jitter_probability_and_per_frame_factors():
    same = _frames(2, count=4, same=True)
    assert all(np.array_equal(a, b) for a, b in zip(ClipColorJitter(prob=0.0)(dict(imgs=list(same)))['imgs'], same))
    import torch
    torch.manual_seed(0)
    out = ClipColorJitter(prob=1.0)(dict(imgs=list(same)))['imgs']
    assert len({frame.tobytes() for frame in out}) == 4  # factors drawn per frame, as the official pipeline
    np.random.seed(0)
    applied = sum(not np.array_equal(ClipColorJitter(prob=0.8)(dict(imgs=[same[0]]))['imgs'][0], same[0])
                  for _ in range(200))
    assert 140 < applied < 180
    with pytest.raises(ValueError, match='prob'):
        ClipColorJitter(prob=1.5)
