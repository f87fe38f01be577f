"""mmaction_ext.apis: init_model / inference on a video file or a frame folder, for recognizers and tube detectors."""
import glob
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.dataset import Compose

from helpers import REPO_ROOT, VIDEO_FOCALNET_DEMO_CONFIG
from mmaction_ext.apis import TubeLinker, VideoSource, frame_name_template, inference, init_model

ORACLE = osp.join(REPO_ROOT, 'configs', 'detection_eval', 'oracle-tube_16x1x1_motion-demo.py')
CSA_TINY = osp.join(REPO_ROOT, 'configs', 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py')


def oracle_options(root, clip_len=16):
    return {'test_dataloader.dataset.ann_file': f'{root}/motion_demo-GT.pkl',
            'test_dataloader.dataset.data_prefix.video': f'{root}/videos',
            'test_dataloader.dataset.clip_len': clip_len}


def write_frames(video, folder, template='img_{:05d}.jpg', start=1, suffix_png=True):
    """The decoded frames of ``video`` as lossless PNGs named by ``template`` from ``start``."""
    import cv2
    os.makedirs(folder, exist_ok=True)
    source = VideoSource(video)
    for first, frames in source.chunks():
        for offset, frame in enumerate(frames):
            name = template.format(first + offset + start)
            assert cv2.imwrite(osp.join(folder, name), frame[..., ::-1])
    return source


def test_recognizer_matches_mmaction_inference_and_reads_a_frame_folder(tiny_motion_demo, tmp_path):
    """Top-k scores equal MMAction2's own ``inference_recognizer`` on the config's test pipeline (3 clips x 3
    crops averaged); a folder of the same frames gives the same scores."""
    from mmaction.apis import inference_recognizer
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    model = init_model(VIDEO_FOCALNET_DEMO_CONFIG, None, label_map=osp.join(tiny_motion_demo, 'classes.txt'),
                       cfg_options={'model.cls_head.num_classes': 4})
    result = inference(model, video, top_k=3)
    # MMAction2's API reads files: the config's test pipeline (the online demo's ArrayDecode) made to decode one.
    steps = [dict(type='DecordDecode') if s['type'] == 'ArrayDecode' else s for s in model.cfg.test_pipeline]
    expected = inference_recognizer(model, video, test_pipeline=Compose([dict(type='DecordInit'), *steps])).pred_score
    assert result['task'] == 'recognition' and result['num_frames'] == 24 and result['size'] == [64, 64]
    np.testing.assert_allclose(result['scores'], expected.numpy(), atol=1e-6)
    assert [p['label'] for p in result['predictions']] == expected.argsort(descending=True)[:3].tolist()
    names = open(osp.join(tiny_motion_demo, 'classes.txt')).read().split()
    assert [p['name'] for p in result['predictions']] == [names[p['label']] for p in result['predictions']]
    folder = str(tmp_path / 'frames')
    write_frames(video, folder, 'img_{:05d}.png')
    from_frames = inference(model, folder, top_k=3)
    assert from_frames['num_frames'] == 24
    np.testing.assert_allclose(from_frames['scores'], result['scores'], atol=1e-5)


def test_frame_folder_template_and_errors(tmp_path):
    for name in ('f_7.png', 'f_8.png', 'f_9.png', 'f_10.png'):
        (tmp_path / name).write_bytes(b'')
    assert frame_name_template(str(tmp_path)) == ('f_{:d}.png', 7, 4)  # unpadded numbers
    (tmp_path / 'f_12.png').write_bytes(b'')
    with pytest.raises(ValueError, match='frame number 11 is missing between 7 and 12'):
        frame_name_template(str(tmp_path))
    (tmp_path / 'cover.png').write_bytes(b'')
    with pytest.raises(ValueError, match="'cover.png' has no frame number"):
        frame_name_template(str(tmp_path))
    empty = tmp_path / 'empty'
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match='no frames'):
        VideoSource(str(empty))
    with pytest.raises(FileNotFoundError, match='video not found: .*missing.mp4'):
        VideoSource(str(tmp_path / 'missing.mp4'))


def ground_truth_tubes(root, video):
    from mmaction_ext.datasets import load_act_annotations
    return load_act_annotations(f'{root}/motion_demo-GT.pkl')['gttubes'][video]


@pytest.mark.parametrize('clip_len', [16, 8])
def test_oracle_tubes_are_the_ground_truth_linked_across_clips(tiny_detection_demo, clip_len):
    """The oracle predicts the ground truth: every annotated box comes back in the video's pixels, whatever the
    clip length, and an actor's tube keeps its identity from clip to clip (32 frames = 2 or 4 clips)."""
    model = init_model(ORACLE, None, cfg_options=oracle_options(tiny_detection_demo, clip_len))
    video = osp.join(tiny_detection_demo, 'videos', 'val_0000.mp4')
    result = inference(model, video)
    assert result['task'] == 'detection' and result['clips'] == 32 // clip_len
    predicted = sorted((frame, tube['frame_labels'][i], *box) for tube in result['tubes']
                       for i, (frame, box) in enumerate(zip(tube['frames'], tube['boxes'])))
    expected = sorted((int(row[0]) - 1, label, *row[1:].tolist())
                      for label, tubes in ground_truth_tubes(tiny_detection_demo, 'val_0000').items()
                      for tube in tubes for row in tube)
    assert len(predicted) == len(expected) > 32
    np.testing.assert_allclose(np.array(predicted), np.array(expected), atol=0.006)  # JSON keeps 2 decimals
    # One identity per actor: a tube spans its actor's frames without a break, across clip boundaries.
    for tube in result['tubes']:
        assert tube['frames'] == list(range(tube['frames'][0], tube['frames'][-1] + 1))
    assert any(t['frames'][0] < clip_len <= t['frames'][-1] for t in result['tubes'])
    assert model.dataset_meta['classes'][0] == 'move_right_slow'
    assert all(t['name'] == model.dataset_meta['classes'][t['label']] for t in result['tubes'])


def test_oracle_needs_a_video_of_its_dataset(tiny_detection_demo, tiny_motion_demo):
    model = init_model(ORACLE, None, cfg_options=oracle_options(tiny_detection_demo))
    other = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    with pytest.raises(ValueError, match='predicts the ground truth, and .* is not a video of the config'):
        inference(model, other)
    with pytest.raises(ValueError, match='needs a model from mmaction_ext.apis.init_model'):
        inference(torch.nn.Linear(1, 1), other)


def test_csa_on_a_real_clip_gives_tubes_in_video_pixels(shared_data):
    """The tiny CSA (random weights) on a real 340 x 256 UCF101-24 clip of 180 frames: 23 clips of 8 frames, one
    at a time; every box inside the video, every tube on consecutive frames of the video."""
    video = osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', 'v_Basketball_g01_c02.mp4')
    model = init_model(CSA_TINY, None)
    decoded = []  # frames per decoding call of every video reader: memory holds one clip, whatever the length
    from mmaction_ext.datasets.transforms import video_reader
    readers = [cls for cls in vars(video_reader).values() if isinstance(cls, type) and hasattr(cls, 'get_batch')]
    patched = {cls: cls.get_batch for cls in readers}
    for cls in readers:
        cls.get_batch = lambda self, indices, _get=patched[cls]: decoded.append(len(indices)) or _get(self, indices)
    try:
        result = inference(model, video, score_thr=0.0)  # every query is an actor: all tubes run the whole video
    finally:
        for cls, get_batch in patched.items():
            cls.get_batch = get_batch
    assert max(decoded) == 8 and sum(decoded) >= 180  # one 8-frame clip at a time (+ the size probe)
    assert result['clips'] == 23 and result['size'] == [256, 340] and result['num_frames'] == 180
    assert result['tubes']
    for tube in result['tubes']:
        boxes = np.asarray(tube['boxes'])
        assert boxes.shape == (len(tube['frames']), 4)
        assert (boxes[:, 0::2] >= 0).all() and (boxes[:, 0::2] <= 340.01).all()
        assert (boxes[:, 1::2] >= 0).all() and (boxes[:, 1::2] <= 256.01).all()
        assert 0 <= min(tube['frames']) and max(tube['frames']) < 180
    covered = sorted(f for tube in result['tubes'] for f in tube['frames'])
    assert len(covered) == 180 * 4  # 4 queries x 180 frames, the last clip's padding dropped


def test_csa_ava_mode_is_refused(tiny_detection_demo):
    config = osp.join(REPO_ROOT, 'configs', 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-ava.py')
    model = init_model(config, None)
    with pytest.raises(ValueError, match="'keyframe' mode"):
        inference(model, osp.join(tiny_detection_demo, 'videos', 'val_0000.mp4'))


def test_tube_linker_links_by_iou_one_to_one():
    """Two actors that swap query slots between clips keep their identities; a box that jumps is a new tube."""
    linker = TubeLinker(score_thr=0.5, link_iou=0.3)
    left, right = [0, 0, 10, 10], [50, 0, 60, 10]
    scores = np.zeros((2, 2, 3))
    scores[0, :, 1] = 0.9
    scores[1, :, 2] = 0.8
    valid = np.ones(2, bool)
    linker.add_clip(np.array([0, 1]), valid, np.array([[left, left], [right, right]], float), scores)
    linker.add_clip(np.array([2, 3]), valid, np.array([[right, right], [left, left]], float), scores[::-1])
    jumped = np.array([[[100, 100, 110, 110]] * 2, [right, right]], float)
    linker.add_clip(np.array([4, 5]), valid, jumped, scores)
    tubes = linker.tubes()
    assert [(t['frames'], t['label']) for t in tubes] == [([0, 1, 2, 3], 1), ([0, 1, 2, 3, 4, 5], 2), ([4, 5], 1)]
    assert tubes[1]['boxes'][-1] == [50.0, 0.0, 60.0, 10.0]
    # a query under the threshold in every frame is no tube; padding frames are never part of one
    linker = TubeLinker(score_thr=0.5)
    linker.add_clip(np.array([0, 1]), np.array([True, False]), np.array([[left, left], [right, right]], float),
                    scores * np.array([1, 0.5])[:, None, None])
    assert [(t['frames'], t['label']) for t in linker.tubes()] == [([0], 1)]


def test_oracle_on_a_real_clip_rescales_the_annotation_to_the_video(ucf24_act, shared_data, tmp_path):
    """The real UCF101-24 annotation (320 x 240) against the shared copy of its clip (340 x 256): the oracle's tubes
    are the annotated boxes scaled to the video's pixels."""
    path, annos = ucf24_act
    video = 'Basketball/v_Basketball_g01_c02'
    (tmp_path / 'Basketball').mkdir()
    os.symlink(osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', 'v_Basketball_g01_c02.mp4'),
               str(tmp_path / (video + '.mp4')))
    model = init_model(ORACLE, None, cfg_options={'test_dataloader.dataset.ann_file': path,
                                                  'test_dataloader.dataset.data_prefix.video': str(tmp_path),
                                                  'model.num_classes': 24})
    result = inference(model, str(tmp_path / (video + '.mp4')))
    assert result['size'] == [256, 340] and result['clips'] == 12  # 180 frames / 16
    (tube, ) = annos['gttubes'][video][0]
    (predicted, ) = result['tubes']
    assert predicted['frames'] == [int(f) - 1 for f in tube[:, 0]] and predicted['name'] == 'Basketball'
    np.testing.assert_allclose(predicted['boxes'], tube[:, 1:] * np.array([340 / 320, 256 / 240] * 2), atol=0.006)
