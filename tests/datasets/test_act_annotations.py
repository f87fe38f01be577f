"""The ACT ground-truth format: reading and checking it, and the UCF101-24 converter on real annotations."""
import os.path as osp
import pickle

import numpy as np
import pytest

from helpers import RunsCode
from mmaction_ext.datasets import ActionTubeDataset, convert_ucf24_pyannot, load_act_annotations
from mmaction_ext.fileio import UnsafeAnnotationError


def test_ucf24_conversion_of_the_real_annotations(ucf24_act, shared_data):
    _, annos = ucf24_act
    assert len(annos['labels']) == 24 and len(annos['gttubes']) == 3194
    # 6 of the 2290 listed training videos have no annotations (named in a warning, see below).
    assert len(annos['test_videos'][0]) == 910 and len(annos['train_videos'][0]) == 2284
    (basketball, ) = annos['gttubes']['Basketball/v_Basketball_g01_c02'][0]
    # sf=63, ef=111 in the source: 0-based frames 63..110 are 1-based 64..111; x, y, w, h = 189, 99, 47, 95.
    assert basketball[0, 0] == 64 and basketball[-1, 0] == 111 and len(basketball) == 48
    np.testing.assert_array_equal(basketball[0, 1:], [189, 99, 236, 194])
    # uint8 boxes with x + w > 255 must not wrap around.
    with open(osp.join(shared_data, 'ucf101_24_corrected_annots', 'pyannot_with_class_names.pkl'), 'rb') as f:
        source = pickle.load(f, encoding='latin1')
    video, anno = next((v, a) for v, e in sorted(source['db'].items()) for a in e['annotations']
                       if a['boxes'].dtype == np.uint8 and (a['boxes'][:, 0].astype(int) + a['boxes'][:, 2]).max() > 255)
    converted = next(t for t in annos['gttubes'][video][int(anno['label'])] if t[0, 0] == anno['sf'] + 1)
    expected = anno['boxes'][:, 0].astype(np.float32) + anno['boxes'][:, 2]
    np.testing.assert_array_equal(converted[:, 3], expected)
    assert converted[:, 3].max() > 255


def test_ucf24_conversion_errors_name_the_video(tmp_path):
    bad = dict(db={'A/v_x': dict(numf=10, label=0, annotations=[dict(sf=2, ef=5, label=0,
                                                                       boxes=np.zeros((2, 4), np.uint8))])},
               trainvideos=[], classes=['A'])
    path = tmp_path / 'bad.pkl'
    path.write_bytes(pickle.dumps(bad))
    with pytest.raises(ValueError, match=r"'A/v_x': 2 boxes for frames sf=2 \.\. ef=5"):
        convert_ucf24_pyannot(str(path))


def test_act_annotation_errors(tmp_path):
    path = tmp_path / 'gt.pkl'
    path.write_bytes(pickle.dumps(dict(labels=['a'])))
    with pytest.raises(ValueError, match=r"gt.pkl: missing ACT keys \['gttubes'"):
        load_act_annotations(str(path))
    annos = dict(labels=['a'], gttubes={'v': {3: [np.zeros((2, 5))]}}, nframes={'v': 2}, train_videos=[['v']],
                 test_videos=[['v']], resolution={'v': (10, 10)})
    path.write_bytes(pickle.dumps(annos))
    with pytest.raises(ValueError, match="video 'v' has label 3 outside"):
        load_act_annotations(str(path))
    annos['gttubes'] = {'v': {0: [np.array([[3, 0, 0, 1, 1]])]}}
    path.write_bytes(pickle.dumps(annos))
    with pytest.raises(ValueError, match="'v' label 0: tube frames 3-3 outside 1-2"):
        ActionTubeDataset(str(path), [], data_prefix=dict(video='x'))
    with pytest.raises(ValueError, match='split 2 requested'):
        ActionTubeDataset(str(path), [], data_prefix=dict(video='x'), split=2)
    with pytest.raises(FileNotFoundError, match='missing.pkl'):
        load_act_annotations(str(tmp_path / 'missing.pkl'))


def test_annotation_pickles_are_loaded_without_running_code(tmp_path):
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps(dict(labels=['a'], gttubes=RunsCode(tmp_path / 'pwned'))))
    with pytest.raises(UnsafeAnnotationError, match=r'evil.pkl: it pickles (posix|os)\.system'):
        load_act_annotations(str(path))
    assert not (tmp_path / 'pwned').exists()
    with pytest.raises(UnsafeAnnotationError, match='evil.pkl'):
        convert_ucf24_pyannot(str(path))
