"""Safe loading of local torch checkpoints: Runner checkpoints and research (official) checkpoints.

torch's restricted unpickler (``weights_only=True``) is kept, with an allow-list of exactly the types
mmengine and numpy put in checkpoints. ``builtins.getattr`` is among the globals a Runner checkpoint
references (``HistoryBuffer`` pickles its statistics methods as ``getattr(HistoryBuffer, 'mean')``); since
an unrestricted ``getattr`` opens a path to arbitrary code, it is mapped to :func:`_checkpoint_getattr`,
which only resolves public attributes of allow-listed classes. Anything else is refused with
:class:`UnsafeCheckpointError` naming the file and the global; a damaged file raises
:class:`CorruptCheckpointError`. Users who trust more types add them with
``torch.serialization.add_safe_globals``; the loader honours that list.

How mmengine is made to use this loader (a fix for mmengine 0.10.7 on torch >= 2.6) is in
:mod:`mmaction_ext.compat.checkpoint_loading`.
"""
import argparse
import collections
import os.path as osp
import pickle
import re
import struct
from collections import OrderedDict
from typing import Sequence

import torch
from mmengine.logging.history_buffer import HistoryBuffer

from .errors import CorruptCheckpointError, UnsafeCheckpointError
from .safe_globals import global_names, numpy_globals, pickled_globals

# Classes whose public attributes a checkpoint may reference through getattr.
_GETATTR_CLASSES = (HistoryBuffer, )

# Training-config objects that research checkpoints carry, read as inert data. A yacs ``CfgNode`` is a dict
# subclass with a few attributes; torch's restricted unpickler fills only plain mappings, so it is read
# into an OrderedDict (its attributes land in the OrderedDict's ``__dict__``).
FOREIGN_CONFIG_GLOBALS = (
    (collections.OrderedDict, 'yacs.config.CfgNode'),
    argparse.Namespace,
)

_STATE_DICT_KEYS = ('model', 'state_dict', 'module', 'model_state')  # model_state: SlowFast (EMIM)
_REFUSED_GLOBAL = re.compile(r'GLOBAL ([\w.]+)')
# torch's own "always allowed" builtins besides torch.* (what its weights-only unpickler accepts).
_TORCH_DEFAULT_GLOBALS = {'collections.OrderedDict', 'collections.Counter', 'builtins.set', 'builtins.frozenset',
                          'builtins.bytearray', 'builtins.complex', 'builtins.slice', '_codecs.encode'}


def _checkpoint_getattr(obj, name):
    """``getattr`` restricted to public attributes of allow-listed classes."""
    if not (isinstance(obj, type) and issubclass(obj, _GETATTR_CLASSES)) or name.startswith('_'):
        owner = obj.__qualname__ if isinstance(obj, type) else type(obj).__qualname__
        raise pickle.UnpicklingError(f'getattr({owner}, {name!r}) is not allowed in a checkpoint')
    return getattr(obj, name)


def checkpoint_safe_globals():
    """Everything besides torch's defaults that a checkpoint may pickle."""
    return numpy_globals() + [
        HistoryBuffer,
        (_checkpoint_getattr, 'builtins.getattr'),
    ]


def _refused(filename: str, global_name: str) -> UnsafeCheckpointError:
    return UnsafeCheckpointError(
        f'refusing to load checkpoint {filename}: it pickles {global_name!r}, which is not on the allow-list '
        'of checkpoint types (tensors, containers, numpy arrays and scalars, mmengine HistoryBuffer). Loading '
        'it could run arbitrary code. If you trust the file and the type, allow it with '
        'torch.serialization.add_safe_globals.', filename, global_name)


def _corrupt(filename: str, detail: str) -> CorruptCheckpointError:
    return CorruptCheckpointError(
        f'cannot read checkpoint {filename}: it is truncated, corrupt or not a torch checkpoint ({detail})',
        filename)


def _diagnose(filename: str, extra_safe_globals: Sequence, reason: str) -> Exception:
    """Why torch's restricted unpickler stopped without naming a global: damage, or code it never reached."""
    parsed, names = pickled_globals(filename)
    if not parsed:
        return _corrupt(filename, reason)
    allowed = set(global_names(checkpoint_safe_globals() + list(extra_safe_globals)))
    allowed |= set(global_names(torch.serialization.get_safe_globals())) | _TORCH_DEFAULT_GLOBALS
    unlisted = next((name for name in names if name not in allowed and not name.startswith('torch.')), None)
    if unlisted is not None:
        return _refused(filename, unlisted)
    # Without an unlisted global the pickle can construct nothing dangerous: it is damaged or foreign bytes
    # (random data can parse as a short pickle with opcodes torch's loader refuses).
    return _corrupt(filename, reason)


def load_checkpoint_safely(filename, map_location=None, extra_safe_globals=()):
    """``torch.load`` a local file with the allow-list, with clear errors.

    Args:
        filename (str): Path of the checkpoint.
        map_location: As for :func:`torch.load`.
        extra_safe_globals (Sequence): More entries for ``torch.serialization.safe_globals`` (objects or
            ``(object, name)`` pairs), e.g. :data:`FOREIGN_CONFIG_GLOBALS` for official checkpoints.

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: It pickles an object outside the allow-list (named in the message).
        CorruptCheckpointError: It is truncated, corrupt or not a torch file.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} can not be found')
    try:
        with torch.serialization.safe_globals(checkpoint_safe_globals() + list(extra_safe_globals)):
            return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        message = str(error)
        found = _REFUSED_GLOBAL.search(message)
        if found:
            raise _refused(filename, found.group(1)) from None
        reason = '; '.join(line.strip() for line in message.splitlines()
                           if line.strip() and not line.strip().startswith(
                               ('Weights only', 'Check the documentation', 'Please file an issue', 'In PyTorch')))
        raise _diagnose(filename, extra_safe_globals, reason or message) from None
    # What torch's unpickler raises on bytes that are no pickle (random data gives any of these).
    except (RuntimeError, EOFError, OSError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            OverflowError, struct.error) as error:
        raise _corrupt(filename, f'{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ""}') \
            from None


def extract_state_dict(checkpoint, filename: str, drop_prefixes: Sequence[str] = (),
                       strip_prefixes: Sequence[str] = ()) -> 'OrderedDict':
    """The weights inside an already loaded checkpoint (see :func:`load_official_state_dict`); ``filename``
    only names the file in errors.

    Raises:
        CorruptCheckpointError: Neither the file nor its ``model`` / ``state_dict`` / ``module`` entry is a
            mapping of tensors.
    """
    state_dict = checkpoint
    if isinstance(checkpoint, dict):
        for key in _STATE_DICT_KEYS:
            if isinstance(checkpoint.get(key), dict):
                state_dict = checkpoint[key]
                break
    if not isinstance(state_dict, dict) or not all(hasattr(v, 'shape') for v in state_dict.values()):
        raise CorruptCheckpointError(
            f'{filename} holds no state_dict (looked at the file itself and at its '
            f'{", ".join(repr(k) for k in _STATE_DICT_KEYS)} entries)', filename)
    result = OrderedDict()
    for key, value in state_dict.items():
        for prefix in strip_prefixes:
            if key.startswith(prefix):
                key = key[len(prefix):]
        if not key.startswith(tuple(drop_prefixes)):
            result[key] = value
    return result


def load_official_state_dict(filename: str, drop_prefixes: Sequence[str] = (),
                             strip_prefixes: Sequence[str] = ()) -> 'OrderedDict':
    """The model weights of a research checkpoint, read safely.

    Accepts a bare state_dict or a dict holding it under ``model``, ``state_dict`` or ``module`` (official
    training scripts, mmengine). The training config such files often pickle (a yacs ``CfgNode``, an
    ``argparse.Namespace``) is read as inert data, without yacs and without running any pickled code;
    anything else outside the allow-list is refused.

    Args:
        filename (str): Checkpoint path.
        drop_prefixes (Sequence[str]): Keys starting with these are left out (checked after stripping).
        strip_prefixes (Sequence[str]): Leading prefixes removed from keys.
    """
    checkpoint = load_checkpoint_safely(filename, map_location='cpu', extra_safe_globals=FOREIGN_CONFIG_GLOBALS)
    return extract_state_dict(checkpoint, filename, drop_prefixes, strip_prefixes)
