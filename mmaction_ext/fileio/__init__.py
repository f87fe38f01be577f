"""Safe reading of the files users hand us: checkpoints (torch) and data pickles (annotations).

Nothing here runs code from a file: both readers resolve only allow-listed globals, and their errors say
which file failed and why (:mod:`.errors`).
"""
from .checkpoint import (FOREIGN_CONFIG_GLOBALS, checkpoint_safe_globals, extract_state_dict,
                         load_checkpoint_safely, load_official_state_dict)
from .data_pickle import load_pickle_safely
from .errors import (AnnotationFileError, CheckpointError, CorruptAnnotationError, CorruptCheckpointError,
                     CorruptFileError, FileReadError, UnsafeAnnotationError, UnsafeCheckpointError,
                     UnsafePickleError)

__all__ = [
    'FOREIGN_CONFIG_GLOBALS', 'checkpoint_safe_globals', 'extract_state_dict', 'load_checkpoint_safely',
    'load_official_state_dict', 'load_pickle_safely', 'FileReadError', 'CorruptFileError', 'UnsafePickleError',
    'CheckpointError', 'CorruptCheckpointError', 'UnsafeCheckpointError', 'AnnotationFileError',
    'CorruptAnnotationError', 'UnsafeAnnotationError'
]
