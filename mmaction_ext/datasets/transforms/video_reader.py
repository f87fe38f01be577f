"""Random-access video readers: torchcodec, then decord, then PyAV.

decord is fast but refuses some real files (e.g. UCF101-24 clips with broken
container metadata, which torchcodec and PyAV decode fine); stock MMAction2 then
crashes deep inside decord. :func:`open_video` tries the backends in order, warns
when it falls back, and raises :class:`VideoDecodeError` naming the file when none
can read it. torchcodec (PyTorch's decoder, the fastest here: docs/install.md)
needs the system's FFmpeg libraries; where it cannot load, the default order
leaves it out with one warning saying why.
"""
import functools
import importlib
import os.path as osp
import warnings
from typing import Optional, Sequence, Tuple

import numpy as np


class VideoDecodeError(RuntimeError):
    """A video file exists but cannot be decoded."""


class VideoBackendFallbackWarning(UserWarning):
    """The preferred backend failed on a file and another one is used."""


class DecordReader:
    """decord-backed reader. Frames come out as RGB uint8 ``(N, H, W, 3)``."""

    backend = 'decord'

    def __init__(self, filename: str, num_threads: int = 1):
        import decord
        self.filename = filename
        self._reader = decord.VideoReader(filename, num_threads=num_threads)
        self.fps = float(self._reader.get_avg_fps())

    def __len__(self) -> int:
        return len(self._reader)

    def get_batch(self, indices: Sequence[int]) -> np.ndarray:
        return self._reader.get_batch(list(indices)).asnumpy()


class TorchCodecReader:
    """torchcodec-backed reader (PyTorch's decoder; needs the system's FFmpeg 4-8 libraries).

    Opened in ``'exact'`` seek mode: the file is scanned once, so the frame count is the decoded one, not
    the container's claim (which is what is broken in the files decord refuses).
    """

    backend = 'torchcodec'

    def __init__(self, filename: str, num_threads: int = 1):
        from torchcodec.decoders import VideoDecoder
        self.filename = filename
        self._decoder = VideoDecoder(filename, seek_mode='exact', dimension_order='NHWC',
                                     num_ffmpeg_threads=num_threads)
        self.fps = float(self._decoder.metadata.average_fps or 30.0)

    def __len__(self) -> int:
        return len(self._decoder)

    def get_batch(self, indices: Sequence[int]) -> np.ndarray:
        return self._decoder.get_frames_at([int(i) for i in indices]).data.numpy()


class PyAVReader:
    """PyAV-backed reader for files decord refuses.

    The container's frame count is not trusted (it is what is broken in the
    files that need this reader): frames are counted by decoding once, and
    ``get_batch`` decodes sequentially up to the largest requested index.
    """

    backend = 'pyav'

    def __init__(self, filename: str):
        import av
        self.filename = filename
        with av.open(filename) as container:
            if not container.streams.video:
                raise VideoDecodeError(f'{filename} has no video stream')
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate
            self.fps = float(rate) if rate else 30.0
            declared = stream.frames  # 0 when the container does not say
            self._num_frames = sum(1 for _ in container.decode(stream))
        if declared and self._num_frames < declared:
            raise VideoDecodeError(
                f'{filename} is truncated: its container declares {declared} frames '
                f'but only {self._num_frames} decode')

    def __len__(self) -> int:
        return self._num_frames

    def get_batch(self, indices: Sequence[int]) -> np.ndarray:
        import av
        indices = [int(i) for i in indices]
        wanted = set(indices)
        last = max(indices)
        frames = {}
        with av.open(self.filename) as container:
            stream = container.streams.video[0]
            for position, frame in enumerate(container.decode(stream)):
                if position in wanted:
                    frames[position] = frame.to_ndarray(format='rgb24')
                if position >= last:
                    break
        missing = sorted(wanted - frames.keys())
        if missing:
            raise VideoDecodeError(
                f'{self.filename}: frames {missing[:5]} requested but the video '
                f'decodes to only {len(self)} frames')
        return np.stack([frames[i] for i in indices])


_BACKENDS = {'torchcodec': TorchCodecReader, 'decord': DecordReader, 'pyav': PyAVReader}
_MODULES = {'torchcodec': 'torchcodec.decoders', 'decord': 'decord', 'pyav': 'av'}
DEFAULT_BACKENDS = ('torchcodec', 'decord', 'pyav')


@functools.lru_cache(maxsize=None)
def backend_unavailable(name: str) -> Optional[str]:
    """Why the backend ``name`` cannot load here (not installed, or torchcodec without FFmpeg), or None."""
    try:
        importlib.import_module(_MODULES[name])
    except Exception as error:  # noqa: BLE001 - a broken install raises anything
        return f'{type(error).__name__}: {str(error).strip().splitlines()[0][:200] if str(error).strip() else ""}'
    # torchcodec imports without FFmpeg and fails at the first decoder; it leaves this unset then.
    if name == 'torchcodec' and importlib.import_module('torchcodec').ffmpeg_major_version is None:
        return 'torchcodec found no FFmpeg 4-9 libraries (libavcodec.so.*) it can load'
    return None


def default_backends() -> Tuple[str, ...]:
    """:data:`DEFAULT_BACKENDS` that load here, in that order; a missing one is named in a warning (once)."""
    usable = tuple(name for name in DEFAULT_BACKENDS if backend_unavailable(name) is None)
    _warn_missing_defaults(usable)
    return usable


@functools.lru_cache(maxsize=None)
def _warn_missing_defaults(usable: Tuple[str, ...]) -> None:
    for name in DEFAULT_BACKENDS:
        if name not in usable:
            warnings.warn(f'video backend {name} is unavailable ({backend_unavailable(name)}); decoding with '
                          f'{", ".join(usable) or "nothing"} (see docs/install.md)', VideoBackendFallbackWarning)


def open_video(filename: str, backends: Optional[Sequence[str]] = None, num_threads: int = 1):
    """Open ``filename`` with the first backend that can read it.

    Args:
        filename (str): Path of the video.
        backends (Sequence[str] | None): Backends to try, in order, from
            ``'torchcodec'``, ``'decord'`` and ``'pyav'``; None is
            :func:`default_backends`.
        num_threads (int): Decoding threads for torchcodec and decord.

    Returns:
        TorchCodecReader | DecordReader | PyAVReader: a reader with ``len()``,
        ``fps`` and ``get_batch(indices) -> (N, H, W, 3) uint8``.

    Raises:
        FileNotFoundError: ``filename`` does not exist.
        VideoDecodeError: no backend can decode it, or it has no frames.
    """
    backends = default_backends() if backends is None else tuple(backends)
    unknown = [name for name in backends if name not in _BACKENDS]
    if unknown or not backends:
        raise ValueError(f'unknown video backends {unknown}; choose from {sorted(_BACKENDS)}')
    if not osp.isfile(filename):
        raise FileNotFoundError(f'video file not found: {filename}')
    failures = []
    for name in backends:
        try:
            reader = (_BACKENDS[name](filename) if name == 'pyav' else
                      _BACKENDS[name](filename, num_threads=num_threads))
        except Exception as error:  # noqa: BLE001  (each backend raises its own types)
            failures.append(f'{name}: {type(error).__name__}: {str(error).strip()[:200]}')
            continue
        if len(reader) == 0:
            failures.append(f'{name}: the video has no frames')
            continue
        if failures:
            warnings.warn(
                f'{filename}: {failures[-1]}; decoding with {name} instead',
                VideoBackendFallbackWarning, stacklevel=2)
        return reader
    raise VideoDecodeError(f'cannot decode video {filename} ({"; ".join(failures)})')
