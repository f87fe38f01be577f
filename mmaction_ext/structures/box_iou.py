"""IoU of axis-aligned boxes ``x1, y1, x2, y2`` in the two pixel conventions of the detection benchmarks.

- ``'voc'``: continuous coordinates, area ``(x2 - x1) * (y2 - y1)`` (MultiSports, MMAction2, TF-OD-API);
- ``'act'``: inclusive pixel indices, area ``(x2 - x1 + 1) * (y2 - y1 + 1)`` (ACT-detector, MOC).

One implementation serves numpy arrays and torch tensors (the result has the input's type).
"""
from typing import Union

import numpy as np
import torch

BOX_CONVENTIONS = ('voc', 'act')

Boxes = Union[np.ndarray, torch.Tensor]


def box_pixel_offset(convention: str) -> float:
    """What a box's width and height gain in ``convention``: 0 (``'voc'``) or 1 (``'act'``).

    Raises:
        ValueError: ``convention`` is not one of :data:`BOX_CONVENTIONS`.
    """
    if convention not in BOX_CONVENTIONS:
        raise ValueError(f'unknown box convention {convention!r}; expected one of {BOX_CONVENTIONS}')
    return 1.0 if convention == 'act' else 0.0


def paired_box_iou(boxes1: Boxes, boxes2: Boxes, convention: str = 'voc') -> Boxes:
    """Elementwise IoU of broadcastable ``(..., 4)`` boxes; 0 where the union is empty.

    numpy inputs are computed in float64; torch tensors in their own floating dtype and device.
    """
    offset = box_pixel_offset(convention)
    if isinstance(boxes1, torch.Tensor) or isinstance(boxes2, torch.Tensor):
        b1, b2 = torch.as_tensor(boxes1), torch.as_tensor(boxes2)
        dtype = torch.promote_types(b1.dtype, b2.dtype)
        dtype = dtype if dtype.is_floating_point else torch.get_default_dtype()
        b1, b2 = b1.to(dtype), b2.to(dtype=dtype, device=b1.device)
        minimum, maximum, zero = torch.minimum, torch.maximum, torch.zeros((), dtype=dtype, device=b1.device)
    else:
        b1, b2 = np.asarray(boxes1, np.float64), np.asarray(boxes2, np.float64)
        minimum, maximum, zero = np.minimum, np.maximum, 0.0
    # The +1 goes on the right edge before subtracting, in the order ACT's overlap2d rounds.
    width = maximum(minimum(b1[..., 2], b2[..., 2]) + offset - maximum(b1[..., 0], b2[..., 0]), zero)
    height = maximum(minimum(b1[..., 3], b2[..., 3]) + offset - maximum(b1[..., 1], b2[..., 1]), zero)
    inter = width * height
    area1 = (b1[..., 2] - b1[..., 0] + offset) * (b1[..., 3] - b1[..., 1] + offset)
    area2 = (b2[..., 2] - b2[..., 0] + offset) * (b2[..., 3] - b2[..., 1] + offset)
    union = area1 + area2 - inter
    positive = union > 0
    if isinstance(union, torch.Tensor):
        return torch.where(positive, inter / torch.where(positive, union, torch.ones_like(union)), 0.0)
    if positive.all():
        return inter / union
    return np.divide(inter, union, out=np.zeros_like(inter), where=positive)


def pairwise_box_iou(boxes1: Boxes, boxes2: Boxes, convention: str = 'voc') -> Boxes:
    """IoU of every box of ``boxes1 (N, 4)`` with every box of ``boxes2 (M, 4)``: ``(N, M)``."""
    if not isinstance(boxes1, torch.Tensor):
        boxes1 = np.asarray(boxes1)
    if not isinstance(boxes2, torch.Tensor):
        boxes2 = np.asarray(boxes2)
    return paired_box_iou(boxes1[:, None], boxes2[None], convention)
