import warnings

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from .video_reader import PyAVReader, VideoBackendFallbackWarning, VideoDecodeError, default_backends, open_video


@TRANSFORMS.register_module()
class VideoInit(BaseTransform):
    """Open ``results['filename']`` with torchcodec, falling back to decord and PyAV.

    A drop-in for MMAction2's ``DecordInit``: it sets ``video_reader``,
    ``total_frames`` and ``avg_fps`` for ``SampleFrames`` and
    :class:`VideoDecode`. Unlike ``DecordInit`` it names the file when the
    video is missing, unreadable or empty, and decodes files decord refuses
    (a backend that fails on a file gives a :class:`VideoBackendFallbackWarning`).

    Args:
        backends (Sequence[str] | None): Backends to try in order, from
            ``'torchcodec'``, ``'decord'``, ``'pyav'``. None (default) is
            ``('torchcodec', 'decord', 'pyav')`` without the ones that cannot
            load here (named in a warning).
        num_threads (int): Decoding threads of torchcodec / decord. Defaults to 1.
    """

    def __init__(self, backends=None, num_threads=1):
        self.backends = default_backends() if backends is None else tuple(backends)
        self.num_threads = num_threads

    def transform(self, results):
        reader = open_video(results['filename'], self.backends, self.num_threads)
        results['video_reader'] = reader
        results['total_frames'] = len(reader)
        results['avg_fps'] = reader.fps
        return results

    def __repr__(self):
        return f'{type(self).__name__}(backends={self.backends}, num_threads={self.num_threads})'


@TRANSFORMS.register_module()
class VideoDecode(BaseTransform):
    """Decode ``results['frame_inds']`` from the reader of :class:`VideoInit`.

    Sets ``imgs`` (list of ``(H, W, 3)`` uint8 RGB arrays), ``img_shape`` and
    ``original_shape``, and drops the reader. If torchcodec or decord opened a
    file but fails to decode it (a truncated file, say), PyAV gets one try
    before the error.
    """

    def transform(self, results):
        reader = results.pop('video_reader')
        inds = np.asarray(results['frame_inds']).reshape(-1)
        if inds.size == 0:
            raise VideoDecodeError(f'{results["filename"]}: no frame indices to decode')
        inds = np.mod(inds, len(reader))
        try:
            frames = reader.get_batch(inds)
        except Exception as error:  # noqa: BLE001
            if isinstance(reader, PyAVReader):
                if isinstance(error, VideoDecodeError):
                    raise
                raise VideoDecodeError(f'cannot decode frames of {reader.filename}: {error}') from None
            warnings.warn(
                f'{reader.filename}: {reader.backend} failed to decode frames ({error}); '
                'decoding with pyav instead', VideoBackendFallbackWarning)
            try:
                frames = PyAVReader(reader.filename).get_batch(inds)
            except VideoDecodeError:
                raise
            except Exception as pyav_error:  # noqa: BLE001
                raise VideoDecodeError(
                    f'cannot decode frames of {reader.filename} '
                    f'(decord: {error}; pyav: {pyav_error})') from None
        results['imgs'] = list(frames)
        results['original_shape'] = frames.shape[1:3]
        results['img_shape'] = frames.shape[1:3]
        return results
