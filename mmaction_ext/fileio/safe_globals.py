"""What the safe readers may unpickle, and a static look at what a pickle references.

:func:`numpy_globals` lists the numpy objects that checkpoints and annotation pickles legitimately hold.
:func:`pickled_globals` reads a pickle's opcodes without executing any of them, to tell a damaged file
from one that references code (for the error message only: refusing is the unpicklers' job).
"""
import io
import pickletools
import zipfile
from typing import List, Sequence, Tuple

import numpy as np

_STRING_OPCODES = {'SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE', 'SHORT_BINSTRING', 'BINSTRING',
                   'STRING'}
_MEMO_GETS = {'BINGET', 'LONG_BINGET', 'GET'}
_MEMO_PUTS = {'MEMOIZE', 'BINPUT', 'LONG_BINPUT', 'PUT'}


def numpy_globals() -> List:
    """numpy objects a checkpoint or data pickle may hold, under both module spellings.

    numpy 1.x pickles them as ``numpy.core.multiarray.*``, numpy 2.x as ``numpy._core.multiarray.*``; a
    file written with either must load with either. Entries are objects or ``(object, name)`` pairs, as
    ``torch.serialization.safe_globals`` takes them.
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


def global_names(entries: Sequence) -> dict:
    """``{'module.name': object}`` of safe-global entries (objects or ``(object, name)`` pairs)."""
    table = {}
    for entry in entries:
        obj, name = entry if isinstance(entry, tuple) else (entry, f'{entry.__module__}.{entry.__qualname__}')
        table[name] = obj
    return table


def _globals_of_one_pickle(stream: io.BytesIO) -> List[str]:
    """Globals referenced by the pickle starting at the stream's position (``ValueError`` if damaged)."""
    names, strings, memo, top = [], [], {}, None  # top: the string on top of the stack, if it is one
    for opcode, arg, _ in pickletools.genops(stream):
        name = opcode.name
        if name in _MEMO_PUTS:  # memoizes the top of the stack and leaves it there
            memo[len(memo) if name == 'MEMOIZE' else arg] = top
            continue
        top = None
        if name == 'GLOBAL':
            names.append(arg.replace(' ', '.'))
        elif name in _STRING_OPCODES or name in _MEMO_GETS:
            top = arg if name in _STRING_OPCODES else memo.get(arg)
            strings.append(top)
        elif name == 'STACK_GLOBAL' and len(strings) >= 2:
            names.append(f'{strings[-2]}.{strings[-1]}')
    return names


def pickled_globals(filename: str, max_pickles: int = 4) -> Tuple[bool, List[str]]:
    """Whether ``filename`` is a readable pickle (or torch zip checkpoint), and the globals it references.

    A torch zip checkpoint is read through its ``data.pkl``; a legacy torch file is several pickles in a
    row (magic number, protocol, system info, the object) followed by raw tensor bytes, so up to
    ``max_pickles`` successive pickles are read. Nothing is executed.

    Returns:
        tuple: ``(parsed, names)``; ``parsed`` is False when the first pickle is damaged or truncated.
    """
    try:
        if zipfile.is_zipfile(filename):
            with zipfile.ZipFile(filename) as archive:
                member = next((n for n in archive.namelist() if n.endswith('data.pkl')), None)
                if member is None:
                    return False, []
                data = archive.read(member)
        else:
            with open(filename, 'rb') as f:
                data = f.read()
    except (OSError, zipfile.BadZipFile):
        return False, []
    stream, names = io.BytesIO(data), []
    for index in range(max_pickles):
        try:
            names.extend(_globals_of_one_pickle(stream))
        except Exception:  # noqa: BLE001 - pickletools raises ValueError and others on damaged input
            if index == 0:
                return False, names
            break
        if stream.tell() >= len(data):
            break
    return True, names
