"""Repeated augmentation for any loader: one decode, ``num_repeats`` independently augmented copies, batches of
``batch_size * num_repeats`` clips through MMAction2's ``repeat_pseudo_collate``."""
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from mmaction_ext.datasets import RepeatAugRawframeDataset, RepeatAugVideoDataset
from mmaction_ext.datasets.synthetic.layouts import write_rawframe_dataset, write_video_dataset

DECODES = []


@pytest.fixture(autouse=True, scope='module')
def mmaction_scope():
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


@TRANSFORMS.register_module(force=True)
class CountingDecode(BaseTransform):
    """Decodes nothing; counts the calls."""

    def transform(self, results):
        DECODES.append(results['filename'] if 'filename' in results else results['frame_dir'])
        results['imgs'] = [np.full((8, 8, 3), i, np.uint8) for i in results['frame_inds']]
        results['img_shape'] = results['original_shape'] = (8, 8)
        return results


def _pipeline(decode):
    return [dict(type='UniformSample', clip_len=4, num_clips=1), decode,
            dict(type='RandomResizedCrop', area_range=(0.2, 0.5)), dict(type='Resize', scale=(4, 4), keep_ratio=False),
            dict(type='FormatShape', input_format='NCTHW'), dict(type='PackActionInputs')]


def test_video_dataset_decodes_once_and_augments_each_repeat(tmp_path):
    from mmengine.dataset import COLLATE_FUNCTIONS
    ann = str(tmp_path / 'list.txt')
    write_video_dataset(ann, str(tmp_path), [('a.mp4', 3), ('b.mp4', 1)], num_frames=12, size=(16, 16))
    DECODES.clear()
    dataset = RepeatAugVideoDataset(ann, [dict(type='VideoInit')] + _pipeline(dict(type='CountingDecode')),
                                    data_prefix=dict(video=str(tmp_path)), num_repeats=3, test_mode=True)
    assert not dataset.test_mode  # repeats are for training
    samples = dataset[0]
    assert len(samples) == 3 and DECODES == [osp.join(str(tmp_path), 'a.mp4')]
    assert all(s['data_samples'].gt_label.item() == 3 for s in samples)
    crops = {tuple(s['data_samples'].metainfo.get('crop_bbox', ())) for s in samples} | \
        {s['inputs'].numpy().tobytes() for s in samples}
    assert len(crops) > 1  # the augmentation runs per repeat
    batch = COLLATE_FUNCTIONS.get('repeat_pseudo_collate')([dataset[0], dataset[1]])
    assert len(batch['inputs']) == 6


def test_rawframe_dataset_repeats_and_needs_a_decoder(tmp_path):
    ann = str(tmp_path / 'list.txt')
    write_rawframe_dataset(ann, str(tmp_path / 'frames'), [('100', 2)], num_frames=9, filename_tmpl='{:05}.jpg',
                           size=(16, 16))
    dataset = RepeatAugRawframeDataset(ann, _pipeline(dict(type='RawFrameDecode')),
                                       data_prefix=dict(img=str(tmp_path / 'frames')), filename_tmpl='{:05}.jpg',
                                       num_repeats=2)
    samples = dataset[0]
    assert len(samples) == 2 and tuple(samples[0]['inputs'].shape) == (1, 3, 4, 4, 4)
    with pytest.raises(ValueError, match='no decoding transform'):
        RepeatAugRawframeDataset(ann, [dict(type='UniformSample', clip_len=4)], data_prefix=dict(img=str(tmp_path)))
    with pytest.raises(ValueError, match='num_repeats'):
        RepeatAugRawframeDataset(ann, _pipeline(dict(type='RawFrameDecode')), data_prefix=dict(img=str(tmp_path)),
                                 num_repeats=0)
