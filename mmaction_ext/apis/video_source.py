"""A video to run a model on: a video file or a folder of frames, read a few frames at a time.

:class:`VideoSource` gives the frame count, rate and size, fills the fields a test pipeline's sampling and
decoding read (``total_frames``, ``start_index``, the reader or the frame folder and its name template), swaps a
config's own loading steps for the ones that read this source, and reads frames for drawing in bounded chunks.
"""
import os
import os.path as osp
import re
from typing import Dict, Iterator, List, Sequence, Tuple

import numpy as np

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp')
# Loading steps of MMAction2 / this package that a config's pipeline may hold: replaced by the source's own.
OPEN_STEPS = ('VideoInit', 'DecordInit', 'PyAVInit', 'OpenCVInit')
# ArrayDecode: the online demo's configs (MotionDemoDataset), whose clips are drawn in memory; a user's video replaces it.
DECODE_STEPS = ('VideoDecode', 'DecordDecode', 'PyAVDecode', 'OpenCVDecode', 'RawFrameDecode', 'PyAVDecodeMotionVector',
                'ArrayDecode')
_NUMBERED = re.compile(r'^(.*?)(\d+)(\.[A-Za-z]+)$')


def frame_name_template(folder: str) -> Tuple[str, int, int]:
    """``(filename_tmpl, first number, frame count)`` of a folder of numbered frames (``img_00001.jpg``,
    ``00001.png``, ...): one prefix and suffix, consecutive numbers. Errors name the folder and what breaks."""
    names = sorted(name for name in os.listdir(folder) if name.lower().endswith(IMAGE_SUFFIXES))
    if not names:
        raise FileNotFoundError(f'{folder}: no frames ({", ".join(IMAGE_SUFFIXES)}) in the folder')
    parsed = [_NUMBERED.match(name) for name in names]
    unnumbered = [name for name, match in zip(names, parsed) if match is None]
    if unnumbered:
        raise ValueError(f'{folder}: frame {unnumbered[0]!r} has no frame number (expected e.g. img_00001.jpg)')
    layouts = {(m.group(1), m.group(3)) for m in parsed}
    if len(layouts) > 1:
        raise ValueError(f'{folder}: frames with different name patterns {sorted(layouts)[:3]}; keep one video\'s '
                         'frames per folder')
    prefix, suffix = layouts.pop()
    numbers = sorted(int(m.group(2)) for m in parsed)
    missing = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
    if missing:
        raise ValueError(f'{folder}: frame number {missing[0]} is missing between {numbers[0]} and {numbers[-1]} '
                         f'({len(missing)} missing in all)')
    widths = {len(m.group(2)) for m in parsed}
    number = f'{{:0{widths.pop()}d}}' if len(widths) == 1 else '{:d}'
    return f'{prefix}{number}{suffix}', numbers[0], len(numbers)


class VideoSource:
    """A video file (decoded with torchcodec, decord or PyAV) or a folder of numbered frames.

    Args:
        path (str): The video file or the frame folder.
        fps (float): Frame rate of a frame folder (a file reports its own). Defaults to 30.

    Attributes:
        kind (str): ``'video'`` or ``'frames'``.
        num_frames (int), fps (float), size (tuple): frames, their rate and ``(height, width)``.
    """

    def __init__(self, path: str, fps: float = 30.0):
        from ..datasets.transforms.video_reader import open_video
        self.path = path
        if osp.isdir(path):
            self.kind = 'frames'
            self.filename_tmpl, self.start_index, self.num_frames = frame_name_template(path)
            self.fps = float(fps)
            self._reader = None
        elif osp.isfile(path):
            self.kind = 'video'
            self._reader = open_video(path)
            self.num_frames, self.fps = len(self._reader), float(self._reader.fps)
            self.start_index = 0
            if self.num_frames < 1:
                raise ValueError(f'{path}: the video has no frames')
        else:
            raise FileNotFoundError(f'video not found: {path} (a video file or a folder of frames)')
        self.size = tuple(self.read([0]).shape[1:3])

    @property
    def name(self) -> str:
        """The video's name without folder and suffix (its id in the predictions)."""
        return osp.splitext(osp.basename(osp.normpath(self.path)))[0]

    def read(self, indices: Sequence[int]) -> np.ndarray:
        """Frames at 0-based ``indices`` as RGB uint8 ``(N, H, W, 3)``."""
        if self._reader is not None:
            return np.asarray(self._reader.get_batch(list(indices)))
        import mmcv
        frames = []
        for index in indices:
            path = osp.join(self.path, self.filename_tmpl.format(int(index) + self.start_index))
            frame = mmcv.imread(path, channel_order='rgb')
            if frame is None:
                raise ValueError(f'{path}: not a readable image')
            frames.append(frame)
        return np.stack(frames)

    def chunks(self, size: int = 32) -> Iterator[Tuple[int, np.ndarray]]:
        """``(first index, frames (n, H, W, 3))`` over the whole video, ``size`` frames at a time."""
        for start in range(0, self.num_frames, size):
            yield start, self.read(range(start, min(start + size, self.num_frames)))

    def results(self, **fields) -> Dict:
        """The fields a test pipeline's sampling and decoding read for this source, updated with ``fields``."""
        results = dict(total_frames=self.num_frames, start_index=self.start_index, modality='RGB', label=-1,
                       avg_fps=self.fps)
        if self.kind == 'video':
            results.update(filename=self.path, video_reader=self._reader)
        else:
            results.update(frame_dir=self.path, filename_tmpl=self.filename_tmpl)
        results.update(fields)
        return results

    def pipeline(self, steps: Sequence[dict]) -> List[dict]:
        """A config's test pipeline with its opening step dropped and its decoding step replaced by the one that
        reads this source (the reader opened here, or the frame folder)."""
        steps = [dict(step) for step in steps if step['type'] not in OPEN_STEPS]
        decodes = [i for i, step in enumerate(steps) if step['type'] in DECODE_STEPS]
        if len(decodes) != 1:
            raise ValueError(f'the test pipeline needs exactly one decoding step ({", ".join(DECODE_STEPS)}), '
                             f'got {[step["type"] for step in steps]}')
        steps[decodes[0]] = dict(type='VideoDecode' if self.kind == 'video' else 'RawFrameDecode')
        return steps


__all__ = ['VideoSource', 'frame_name_template']
