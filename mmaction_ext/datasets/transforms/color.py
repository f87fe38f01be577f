"""Photometric and crop augmentations of official training code that MMAction2 1.2.0 lacks.

- :class:`ClipColorJitter`: torchvision's ``ColorJitter`` with one decision per clip and its factors drawn per
  frame (Video-FocalNets' official pipeline: probability 0.8, brightness / contrast 0.4, saturation 0.2, hue
  0.1). MMAction2's ``ColorJitter`` always applies, with one draw per clip; ``TorchVisionWrapper`` has no
  probability.
- :class:`HSVJitter`: integer shifts of OpenCV's hue, saturation and value, one draw per clip (CSA's training
  code: hue +-10, saturation / value +-102 on AVA, +-128 on JHMDB / UCF101-24).
- :class:`PCALighting`: AlexNet's PCA lighting noise on uint8 frames, one draw per clip, the channel order and
  the truncation to uint8 as CSA's training code (it moves a pixel by at most one grey level).
- :class:`AspectRandomCrop`: a random crop with the frame's aspect ratio whose short side is ``size`` (CSA's
  training crop); works on MMAction2's ``gt_bboxes`` / ``proposals`` like its ``RandomResizedCrop`` (it is
  one, with another crop rule). ``TubeAspectRandomCrop`` (``tube_transforms``) moves tube boxes.
"""
from typing import Dict, Sequence, Tuple

import numpy as np
from mmaction.datasets.transforms import RandomResizedCrop
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

# The eigenvectors (rows) of AlexNet's lighting noise, and the "eigenvalues" CSA's training code passes with
# them: ImageNet's per-channel std reversed, not AlexNet's (0.2175, 0.0188, 0.0045).
CSA_LIGHTING_EIGVAL = (0.225, 0.224, 0.229)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009), (-0.5808, -0.0045, -0.8140), (-0.5836, -0.6948, 0.4203))


@TRANSFORMS.register_module()
class ClipColorJitter(BaseTransform):
    """With probability ``prob`` per clip, torchvision's ``ColorJitter`` on every frame (factors drawn per frame).

    Required / modified keys: ``imgs`` (list of ``(H, W, 3)`` uint8 RGB).
    """

    def __init__(self, prob: float = 0.8, brightness: float = 0.4, contrast: float = 0.4, saturation: float = 0.2,
                 hue: float = 0.1):
        from torchvision.transforms import ColorJitter
        if not 0 <= prob <= 1:
            raise ValueError(f'ClipColorJitter: prob must be in [0, 1], got {prob}')
        self.prob = prob
        self.jitter = ColorJitter(brightness, contrast, saturation, hue)

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        from PIL import Image
        results['imgs'] = [np.asarray(self.jitter(Image.fromarray(frame))) for frame in results['imgs']]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(prob={self.prob}, jitter={self.jitter})'


@TRANSFORMS.register_module()
class HSVJitter(BaseTransform):
    """Shift hue by an integer in ``[-hue, hue]`` (OpenCV's 0-179 scale, wrapping) and saturation / value by
    integers in ``[-saturation, saturation]`` / ``[-value, value]`` (clipped to 0-255); one draw per clip.

    Required / modified keys: ``imgs`` (list of ``(H, W, 3)`` uint8 RGB).
    """

    def __init__(self, hue: int = 10, saturation: int = 128, value: int = 128):
        self.hue, self.saturation, self.value = int(hue), int(saturation), int(value)

    def shifts(self) -> Tuple[int, int, int]:
        return (int(np.random.randint(-self.hue, self.hue + 1)),
                int(np.random.randint(-self.saturation, self.saturation + 1)),
                int(np.random.randint(-self.value, self.value + 1)))

    @staticmethod
    def shift_frame(frame: np.ndarray, shifts: Sequence[int]) -> np.ndarray:
        import cv2
        hsv = cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2HSV).astype(np.int32)
        hsv[..., 0] = (hsv[..., 0] + shifts[0]) % 180
        hsv[..., 1] = np.clip(hsv[..., 1] + shifts[1], 0, 255)
        hsv[..., 2] = np.clip(hsv[..., 2] + shifts[2], 0, 255)
        return cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)

    def transform(self, results: Dict) -> Dict:
        shifts = self.shifts()
        results['imgs'] = [self.shift_frame(frame, shifts) for frame in results['imgs']]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(hue={self.hue}, saturation={self.saturation}, value={self.value})'


@TRANSFORMS.register_module()
class PCALighting(BaseTransform):
    """AlexNet's lighting noise: ``delta = eigvec @ (alpha * eigval)``, ``alpha ~ N(0, alphastd^2)`` per clip;
    channel ``c`` of an RGB frame gets ``delta[2 - c]`` (the channel order of CSA's code), then truncation
    to uint8.

    Required / modified keys: ``imgs`` (list of ``(H, W, 3)`` uint8 RGB).
    """

    def __init__(self, alphastd: float = 0.1, eigval: Sequence[float] = CSA_LIGHTING_EIGVAL,
                 eigvec: Sequence[Sequence[float]] = IMAGENET_EIGVEC):
        self.alphastd = float(alphastd)
        self.eigval = np.asarray(eigval, np.float64)
        self.eigvec = np.asarray(eigvec, np.float64)
        if self.eigval.shape != (3, ) or self.eigvec.shape != (3, 3):
            raise ValueError(f'PCALighting: eigval (3, ) and eigvec (3, 3) expected, got {self.eigval.shape} and '
                             f'{self.eigvec.shape}')

    def delta(self, alpha: np.ndarray) -> np.ndarray:
        """Per-channel shift ``(3, )`` for RGB frames, given ``alpha (3, )``."""
        return (self.eigvec @ (alpha * self.eigval))[::-1]

    def transform(self, results: Dict) -> Dict:
        delta = self.delta(np.random.normal(0, self.alphastd, size=3))
        results['imgs'] = [np.clip(frame.astype(np.float64) + delta, 0, 255).astype(np.uint8)
                           for frame in results['imgs']]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(alphastd={self.alphastd})'


@TRANSFORMS.register_module()
class AspectRandomCrop(RandomResizedCrop):
    """A random crop with the frame's aspect ratio and short side ``size`` (no resize afterwards).

    For a ``(h, w)`` frame with ``w >= h`` the crop is ``(size, floor(size * w / h))``, otherwise
    ``(floor(size * h / w), size)`` (clamped to the frame); its offsets are uniform over every position,
    the same for all frames. Boxes (``gt_bboxes``, ``proposals``) are handled by MMAction2's
    ``RandomResizedCrop``, whose crop rule this replaces.
    """

    def __init__(self, size: int, **kwargs):
        super().__init__(**kwargs)
        if size < 1:
            raise ValueError(f'AspectRandomCrop: size must be positive, got {size}')
        self.size = int(size)

    def crop_size(self, img_shape: Tuple[int, int]) -> Tuple[int, int]:
        """``(crop_h, crop_w)`` for a frame of ``img_shape``."""
        height, width = img_shape
        if width < height:
            crop_w = min(width, self.size)
            return min(height, int(crop_w * height / width)), crop_w
        crop_h = min(height, self.size)
        return crop_h, min(width, int(crop_h * width / height))

    def get_crop_bbox(self, img_shape, *args, **kwargs):
        height, width = img_shape
        crop_h, crop_w = self.crop_size(img_shape)
        left = int(np.random.randint(0, width - crop_w + 1))
        top = int(np.random.randint(0, height - crop_h + 1))
        return left, top, left + crop_w, top + crop_h

    def __repr__(self) -> str:
        return f'{type(self).__name__}(size={self.size})'


__all__ = ['AspectRandomCrop', 'ClipColorJitter', 'CSA_LIGHTING_EIGVAL', 'HSVJitter', 'IMAGENET_EIGVEC', 'PCALighting']
