"""Errors of the safe file readers, named for what failed and for why.

What failed: :class:`CheckpointError` (a torch checkpoint) or :class:`AnnotationFileError` (a data pickle:
annotations, proposals). Why: :class:`CorruptFileError` (truncated, damaged, not that kind of file) or
:class:`UnsafePickleError` (it pickles a global outside the allow-list; loading it could run code). Each
concrete error is both, so ``except UnsafePickleError`` and ``except CheckpointError`` both work::

    FileReadError
    ├── CheckpointError ──── CorruptCheckpointError, UnsafeCheckpointError
    └── AnnotationFileError ─ CorruptAnnotationError, UnsafeAnnotationError
    CorruptFileError: CorruptCheckpointError, CorruptAnnotationError
    UnsafePickleError: UnsafeCheckpointError, UnsafeAnnotationError
"""
from typing import Optional


class FileReadError(RuntimeError):
    """A file exists but could not be read; the message names it (``filename``)."""

    def __init__(self, message: str, filename: Optional[str] = None):
        super().__init__(message)
        self.filename = filename


class CorruptFileError(FileReadError):
    """The file is truncated, damaged, or not the kind of file expected."""


class UnsafePickleError(FileReadError):
    """The file pickles a global outside the allow-list (``global_name`` when it is known)."""

    def __init__(self, message: str, filename: Optional[str] = None, global_name: Optional[str] = None):
        super().__init__(message, filename)
        self.global_name = global_name


class CheckpointError(FileReadError):
    """A checkpoint could not be read."""


class CorruptCheckpointError(CheckpointError, CorruptFileError):
    """A checkpoint is truncated, damaged or not a torch checkpoint."""


class UnsafeCheckpointError(CheckpointError, UnsafePickleError):
    """A checkpoint pickles an object outside the allow-list."""


class AnnotationFileError(FileReadError):
    """An annotation (or other data) pickle could not be read."""


class CorruptAnnotationError(AnnotationFileError, CorruptFileError):
    """An annotation pickle is truncated, damaged or not a pickle."""


class UnsafeAnnotationError(AnnotationFileError, UnsafePickleError):
    """An annotation pickle pickles an object outside the allow-list."""
