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


class _DataUnpickler(pickle.Unpickler):
    """Resolves only allow-listed globals (numpy arrays and scalars, builtin containers)."""

    def __init__(self, file, filename, **kwargs):
        super().__init__(file, **kwargs)
        self.filename, self.allowed = filename, _data_globals()

    def find_class(self, module, name):
        obj = self.allowed.get(f'{module}.{name}')
        if obj is None:
            raise UnsafeAnnotationError(
                f'refusing to load {self.filename}: it pickles {module}.{name}, which is not on the allow-list '
                'of data types (numpy arrays and scalars, builtin containers). Loading it could run arbitrary '
                'code.', self.filename, f'{module}.{name}')
        return obj


def load_pickle_safely(filename: str, encoding: str = 'ASCII'):
    """``pickle.load`` a data file that may hold only numpy arrays and scalars and builtin containers.

    Args:
        filename (str): Path of the pickle.
        encoding (str): For Python 2 pickles (``'latin1'`` for numpy arrays written by Python 2).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeAnnotationError: It pickles an object outside the allow-list (named in the message).
        CorruptAnnotationError: It is truncated or not a pickle.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'pickle file not found: {filename}')
    with open(filename, 'rb') as f:
        try:
            return _DataUnpickler(f, filename, encoding=encoding).load()
        except UnsafeAnnotationError:
            raise
        except Exception as error:  # noqa: BLE001 - every reading failure gets the file name
            raise CorruptAnnotationError(f'cannot read {filename}: truncated or not a pickle '
                                         f'({type(error).__name__}: {error})', filename) from None
