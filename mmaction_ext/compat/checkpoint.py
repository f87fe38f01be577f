"""Safe loading of local checkpoints with mmengine 0.10.7 on torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default. mmengine 0.10.7
calls ``torch.load`` without ``weights_only``, so the full checkpoints its own
Runner writes (message hub with ``HistoryBuffer`` objects and numpy scalars)
no longer load and ``--resume`` breaks (open-mmlab/mmengine#1655; fixed on
mmengine main by #1670 with a blanket ``weights_only=False``, unreleased).

We do not turn the safety off. :func:`load_checkpoint_safely` keeps torch's
restricted unpickler and allow-lists exactly the types mmengine and numpy put
in checkpoints. ``builtins.getattr`` is among the globals a Runner checkpoint
references (``HistoryBuffer`` pickles its statistics methods as
``getattr(HistoryBuffer, 'mean')``); since an unrestricted ``getattr`` opens a
path to arbitrary code, it is mapped to :func:`_checkpoint_getattr`, which
only resolves public attributes of allow-listed classes. Anything else pickled
in the file is refused with an error naming the file and the type.

Users who trust additional types can add them with
``torch.serialization.add_safe_globals``; this loader honours that list.
"""
import argparse
import collections
import os.path as osp
import pickle
import re

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class CheckpointError(RuntimeError):
    """A checkpoint file could not be read."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint file pickles an object outside the allow-list."""


# Classes whose public attributes a checkpoint may reference through getattr.
_GETATTR_CLASSES = (HistoryBuffer, )


def _checkpoint_getattr(obj, name):
    """``getattr`` restricted to public attributes of allow-listed classes."""
    if not (isinstance(obj, type) and issubclass(obj, _GETATTR_CLASSES)) or name.startswith('_'):
        owner = obj.__qualname__ if isinstance(obj, type) else type(obj).__qualname__
        raise pickle.UnpicklingError(
            f'getattr({owner}, {name!r}) is not allowed in a checkpoint')
    return getattr(obj, name)


def _numpy_globals():
    """numpy objects a checkpoint may pickle, under both module spellings.

    numpy 1.x pickles them as ``numpy.core.multiarray.*``, numpy 2.x as
    ``numpy._core.multiarray.*``; a checkpoint written with either must load
    with either.
    """
    try:
        from numpy._core import multiarray as core_multiarray  # numpy >= 2
    except ImportError:
        from numpy.core import multiarray as core_multiarray
    entries = [np.ndarray, np.dtype]
    for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        entries.append((core_multiarray.scalar, f'{module}.scalar'))
        entries.append((core_multiarray._reconstruct, f'{module}._reconstruct'))
    # numpy >= 1.25 may pickle dtypes by their class (numpy.dtypes.Float64DType, ...).
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        entries.extend(getattr(dtypes, name) for name in dir(dtypes) if name.endswith('DType'))
    return entries


def checkpoint_safe_globals():
    """Everything besides torch's defaults that a checkpoint may pickle."""
    return _numpy_globals() + [
        HistoryBuffer,
        (_checkpoint_getattr, 'builtins.getattr'),
    ]


_UNSUPPORTED_GLOBAL = re.compile(r'GLOBAL ([\w.]+)')
_BOILERPLATE = ('Weights only load failed', 'Check the documentation', 'Please file an issue')


# Training-config objects that research checkpoints carry, read as inert data. A yacs ``CfgNode``
# is a dict subclass with a few attributes; torch's restricted unpickler fills only plain mappings,
# so it is read into an OrderedDict (its attributes land in the OrderedDict's ``__dict__``).
FOREIGN_CONFIG_GLOBALS = (
    (collections.OrderedDict, 'yacs.config.CfgNode'),
    argparse.Namespace,
)


def load_checkpoint_safely(filename, map_location=None, extra_safe_globals=()):
    """``torch.load`` a local file with the allow-list, with clear errors.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As for :func:`torch.load`.
        extra_safe_globals (Sequence): More entries for
            ``torch.serialization.safe_globals`` (objects or ``(object, name)``
            pairs), e.g. :data:`FOREIGN_CONFIG_GLOBALS` for official checkpoints.

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: It pickles an object outside the allow-list.
        CheckpointError: It is truncated, corrupt or not a torch file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found')
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals() + list(extra_safe_globals)):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        message = str(error)
        found = _UNSUPPORTED_GLOBAL.search(message)
        if found:
            raise UnsafeCheckpointError(
                f'refusing to load checkpoint {filename}: it pickles '
                f'{found.group(1)!r}, which is not on the allow-list of '
                'checkpoint types (tensors, containers, numpy arrays and '
                'scalars, mmengine HistoryBuffer). Loading it could run '
                'arbitrary code. If you trust the file and the type, allow '
                'it with torch.serialization.add_safe_globals.') from None
        reason = ' '.join(line.strip() for line in message.splitlines()
                          if line.strip() and not line.strip().startswith(_BOILERPLATE))
        if 'weights_only' in message or 'Weights only' in message:
            raise UnsafeCheckpointError(f'refusing to load checkpoint {filename}: {reason}') from None
        raise CheckpointError(f'checkpoint {filename} is corrupt: {message}') from None
    except (RuntimeError, EOFError, OSError, ValueError, KeyError) as error:
        raise CheckpointError(
            f'cannot read checkpoint {filename}: it is truncated, corrupt or '
            f'not a torch checkpoint ({type(error).__name__}: {error})') from None


def install_safe_local_loader():
    """Route mmengine's local checkpoint loading through the safe loader.

    ``CheckpointLoader`` serves ``load_checkpoint``, ``init_cfg=Pretrained``,
    ``Runner.load_checkpoint`` and ``Runner.resume`` alike, so replacing the
    loader of the empty prefix covers every local path.
    """
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)


def load_from_local(filename, map_location):
    """mmengine loader for local paths (named like mmengine's own for its log line)."""
    return load_checkpoint_safely(filename, map_location)


def _safe_data_globals():
    """``module.name`` -> object for what annotation pickles may contain besides builtin containers."""
    table = {}
    for entry in _numpy_globals():
        obj, name = entry if isinstance(entry, tuple) else (entry, f'{entry.__module__}.{entry.__qualname__}')
        table[name] = obj
    table.update({'numpy.ndarray': np.ndarray, 'numpy.dtype': np.dtype,
                  'collections.OrderedDict': collections.OrderedDict, 'builtins.set': set,
                  'builtins.frozenset': frozenset, 'builtins.complex': complex})
    return table


class _DataUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals (numpy arrays and scalars, builtin containers)."""

    def __init__(self, file, filename, **kwargs):
        super().__init__(file, **kwargs)
        self.filename, self.allowed = filename, _safe_data_globals()

    def find_class(self, module, name):
        obj = self.allowed.get(f'{module}.{name}')
        if obj is None:
            raise UnsafeCheckpointError(
                f'refusing to load {self.filename}: it pickles {module}.{name}, which is not on the allow-list '
                'of data types (numpy arrays and scalars, builtin containers). Loading it could run arbitrary '
                'code.')
        return obj


def load_pickle_safely(filename, encoding='ASCII'):
    """``pickle.load`` a data file (annotations, proposals) that may hold only numpy arrays and
    scalars and builtin containers; any other global is refused before it is imported.

    Args:
        filename (str): Path of the pickle.
        encoding (str): For Python 2 pickles (``'latin1'`` for numpy arrays written by Python 2).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: It pickles an object outside the allow-list.
        CheckpointError: It is truncated or not a pickle.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'pickle file not found: {filename}')
    with open(filename, 'rb') as f:
        try:
            return _DataUnpickler(f, filename, encoding=encoding).load()
        except UnsafeCheckpointError:
            raise
        except Exception as error:  # noqa: BLE001 - every reading failure gets the file name
            raise CheckpointError(f'cannot read {filename}: truncated or not a pickle '
                                  f'({type(error).__name__}: {error})') from None
