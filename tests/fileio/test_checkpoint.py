"""The safe checkpoint loader: allow-list, and errors that say whether a file is corrupt or unsafe."""
import os.path as osp
import pickle
import random
import zipfile

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from helpers import RunsCode
from mmaction_ext.fileio import (CorruptCheckpointError, CorruptFileError, UnsafeCheckpointError, UnsafePickleError,
                                 extract_state_dict, load_checkpoint_safely, load_official_state_dict)


def test_getattr_is_restricted_to_allow_listed_classes(tmp_path):
    """HistoryBuffer needs getattr(HistoryBuffer, 'mean'); getattr on anything else must not pass."""

    class _GetattrEscape:

        def __reduce__(self):
            # getattr(<a tensor>, '__class__'): harmless itself, but a generic getattr chains to code.
            return getattr, (torch.zeros(1), '__class__')

    path = str(tmp_path / 'getattr.pth')
    torch.save({'x': _GetattrEscape()}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        load_checkpoint_safely(path)
    assert path in str(info.value) and 'getattr' in str(info.value)


def test_private_attribute_of_allowed_class_is_refused(tmp_path):

    class _PrivateAttr:

        def __reduce__(self):
            return getattr, (HistoryBuffer, '__init__')

    path = str(tmp_path / 'private.pth')
    torch.save({'x': _PrivateAttr()}, path)
    with pytest.raises(UnsafeCheckpointError):
        load_checkpoint_safely(path)


def test_legacy_checkpoint_format_loads(tmp_path):
    path = str(tmp_path / 'legacy.pth')
    torch.save({'state_dict': {'w': torch.ones(2)}, 'meta': {'epoch': np.float64(1.5)}}, path,
               _use_new_zipfile_serialization=False)
    assert not zipfile.is_zipfile(path)
    loaded = load_checkpoint_safely(path)
    assert loaded['meta']['epoch'] == 1.5 and torch.equal(loaded['state_dict']['w'], torch.ones(2))
    assert osp.isfile(path)


def test_refused_global_is_named_for_every_pickle_layout(tmp_path):
    """A torch zip checkpoint, a legacy torch file and raw pickles of protocol 2 and 4 calling os.system:
    each is refused as unsafe with the global named, and nothing runs."""
    marker = tmp_path / 'pwned'
    payload = {'state_dict': {}, 'payload': RunsCode(marker)}
    files = {'zip.pth': lambda p: torch.save(payload, p),
             'legacy.pth': lambda p: torch.save(payload, p, _use_new_zipfile_serialization=False),
             'raw2.pkl': lambda p: p.write_bytes(pickle.dumps(payload, protocol=2)),
             'raw4.pkl': lambda p: p.write_bytes(pickle.dumps(payload, protocol=4))}
    for name, write in files.items():
        path = tmp_path / name
        write(path)
        with pytest.raises(UnsafeCheckpointError) as info:
            load_checkpoint_safely(str(path))
        assert str(path) in str(info.value) and 'system' in str(info.value), (name, str(info.value))
        assert info.value.global_name in ('posix.system', 'os.system', 'nt.system'), name
        assert isinstance(info.value, UnsafePickleError) and not isinstance(info.value, CorruptFileError)
    assert not marker.exists(), 'the payload ran'


# Seeded random bytes, with and without a pickle header: torch's unpickler raises IndexError, TypeError,
# "Unsupported operand" and more on them (a 1-in-20 case once escaped as a bare IndexError).
RANDOM_BYTES = [random.Random(seed).randbytes(1000) for seed in range(40)]


@pytest.mark.parametrize('content', [b'\x80\x02' + bytes(range(256)) * 4, b'PK\x03\x04 not a zip', b''],
                         ids=['pickle-header-then-garbage', 'zip-magic-then-garbage', 'empty'])
def test_damaged_files_are_corrupt_not_unsafe(tmp_path, content):
    path = tmp_path / 'damaged.pth'
    path.write_bytes(content)
    with pytest.raises(CorruptCheckpointError) as info:
        load_checkpoint_safely(str(path))
    assert str(path) in str(info.value) and 'truncated, corrupt or not a torch checkpoint' in str(info.value)
    assert not isinstance(info.value, UnsafePickleError)


def test_random_bytes_are_corrupt_not_unsafe(tmp_path):
    path = tmp_path / 'damaged.pth'
    for index, content in enumerate(RANDOM_BYTES):
        path.write_bytes(content if index % 2 else b'\x80\x02' + content)
        with pytest.raises(CorruptCheckpointError, match='truncated, corrupt or not a torch checkpoint'):
            load_checkpoint_safely(str(path))


def test_truncated_zip_checkpoint_is_corrupt(tmp_path):
    path = tmp_path / 'model.pth'
    torch.save({'state_dict': {'w': torch.randn(64, 64)}}, path)
    assert zipfile.is_zipfile(path)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(CorruptCheckpointError, match='model.pth'):
        load_checkpoint_safely(str(path))


def test_official_state_dict_from_any_container(tmp_path):
    weights = {'backbone.a': torch.ones(2), 'module.b': torch.zeros(1), 'head.weight': torch.ones(3)}
    for key in ('model', 'state_dict', 'module', None):
        path = tmp_path / f'{key}.pth'
        torch.save(weights if key is None else {key: weights, 'epoch': 3}, path)
        loaded = load_official_state_dict(str(path), drop_prefixes=('head.', ), strip_prefixes=('backbone.', 'module.'))
        assert list(loaded) == ['a', 'b'] and torch.equal(loaded['a'], torch.ones(2))
    with pytest.raises(CorruptCheckpointError, match=r"no\.pth holds no state_dict .*'model', 'state_dict'"):
        extract_state_dict({'epoch': 3, 'model': 'not weights'}, 'no.pth')
