"""Allow-list loading of data pickles (annotations, proposals): numpy arrays and scalars and builtin
containers only; any other global is refused before it is imported."""
import collections
import os.path as osp
import pickle

from .errors import CorruptAnnotationError, UnsafeAnnotationError
from .safe_globals import global_names, numpy_globals


def _data_globals() -> dict:
    """``module.name`` -> object for what data pickles may contain besides builtin containers."""
    table = global_names(numpy_globals())
    table.update({'collections.OrderedDict': collections.OrderedDict, 'builtins.set': set,
                  'builtins.frozenset': frozenset, 'builtins.complex': complex})
    return table


def _load_storage_weights_only(data: bytes):
    """What ``torch.storage._load_from_bytes`` does for a pickled tensor, with the weights-only unpickler."""
    import io

    import torch
    return torch.load(io.BytesIO(data), weights_only=True)


def _tensor_globals() -> dict:
    """Tensors as ``torch.save``-less pickles hold them (e.g. mmengine's ``DumpResults``): rebuilt from their
    storage, which is read with the weights-only unpickler."""
    import torch._utils
    return {'torch._utils._rebuild_tensor_v2': torch._utils._rebuild_tensor_v2,
            'torch.storage._load_from_bytes': _load_storage_weights_only}


class _DataUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals (numpy arrays and scalars, builtin containers)."""

    def __init__(self, file, filename, allow_tensors=False, **kwargs):
        super().__init__(file, **kwargs)
        self.filename, self.allowed = filename, _data_globals()
        if allow_tensors:
            self.allowed.update(_tensor_globals())

    def find_class(self, module, name):
        obj = self.allowed.get(f'{module}.{name}')
        if obj is None:
            raise UnsafeAnnotationError(
                f'refusing to load {self.filename}: it pickles {module}.{name}, which is not on the allow-list '
                'of data types (numpy arrays and scalars, builtin containers). Loading it could run arbitrary '
                'code.', self.filename, f'{module}.{name}')
        return obj


def load_pickle_safely(filename: str, encoding: str = 'ASCII', allow_tensors: bool = False):
    """``pickle.load`` a data file that may hold only numpy arrays and scalars and builtin containers.

    Args:
        filename (str): Path of the pickle.
        encoding (str): For Python 2 pickles (``'latin1'`` for numpy arrays written by Python 2).
        allow_tensors (bool): Also torch tensors (``tools/test.py --dump`` files), their storage read with
            torch's weights-only unpickler.

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeAnnotationError: It pickles an object outside the allow-list (named in the message).
        CorruptAnnotationError: It is truncated or not a pickle.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'pickle file not found: {filename}')
    with open(filename, 'rb') as f:
        try:
            return _DataUnpickler(f, filename, allow_tensors, encoding=encoding).load()
        except UnsafeAnnotationError:
            raise
        except Exception as error:  # noqa: BLE001 - every reading failure gets the file name
            raise CorruptAnnotationError(f'cannot read {filename}: truncated or not a pickle '
                                         f'({type(error).__name__}: {error})', filename) from None
