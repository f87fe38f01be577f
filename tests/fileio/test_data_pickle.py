"""Allow-list loading of annotation pickles: data loads, code is refused by name, damage is reported."""
import collections
import pickle

import numpy as np
import pytest

from helpers import RunsCode
from mmaction_ext.fileio import (AnnotationFileError, CheckpointError, CorruptAnnotationError, UnsafeAnnotationError,
                                 UnsafePickleError, load_pickle_safely)


def test_numpy_and_containers_load(tmp_path):
    data = dict(boxes=np.arange(6, dtype=np.float32).reshape(2, 3), n=np.int64(4), names={'a', 'b'},
                ordered=collections.OrderedDict(x=(1, 2.5, None)), z=complex(1, 2))
    path = tmp_path / 'data.pkl'
    path.write_bytes(pickle.dumps(data))
    loaded = load_pickle_safely(str(path))
    np.testing.assert_array_equal(loaded['boxes'], data['boxes'])
    assert loaded['n'] == 4 and loaded['names'] == {'a', 'b'} and loaded['ordered'] == data['ordered']


@pytest.mark.parametrize('protocol', [2, 4])
def test_code_is_refused_and_named(tmp_path, protocol):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pkl'
    path.write_bytes(pickle.dumps({'labels': ['a'], 'x': RunsCode(marker)}, protocol=protocol))
    with pytest.raises(UnsafeAnnotationError, match=r'evil\.pkl: it pickles (posix|os)\.system') as info:
        load_pickle_safely(str(path))
    assert info.value.global_name in ('posix.system', 'os.system') and info.value.filename == str(path)
    assert isinstance(info.value, (AnnotationFileError, UnsafePickleError)) and not isinstance(info.value,
                                                                                              CheckpointError)
    assert not marker.exists()


@pytest.mark.parametrize('content', [b'', b'\x80\x04garbage', pickle.dumps(list(range(100)))[:50]],
                         ids=['empty', 'garbage', 'truncated'])
def test_damage_is_reported_as_corrupt(tmp_path, content):
    path = tmp_path / 'broken.pkl'
    path.write_bytes(content)
    with pytest.raises(CorruptAnnotationError, match=r'broken\.pkl: truncated or not a pickle'):
        load_pickle_safely(str(path))


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.pkl'):
        load_pickle_safely(str(tmp_path / 'nope.pkl'))
