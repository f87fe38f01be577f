"""Box IoU in the VOC and ACT pixel conventions, numpy and torch."""
import numpy as np
import pytest
import torch

from helpers.tubes import BOX
from mmaction_ext.structures import BOX_CONVENTIONS, box_pixel_offset, paired_box_iou, pairwise_box_iou


def test_pairwise_iou_hand_computed_in_both_conventions():
    a, b = np.array([BOX]), np.array([[5.0, 0.0, 15.0, 10.0], [20.0, 20.0, 30.0, 30.0]])
    # voc: 50 / (100 + 100 - 50); act (+1 px): 6 * 11 / (121 + 121 - 66)
    np.testing.assert_allclose(pairwise_box_iou(a, b, 'voc'), [[1 / 3, 0.0]])
    np.testing.assert_allclose(pairwise_box_iou(a, b, 'act'), [[66 / 176, 0.0]])
    with pytest.raises(ValueError, match='convention'):
        pairwise_box_iou(a, b, 'coco')


@pytest.mark.parametrize('convention', BOX_CONVENTIONS)
def test_torch_and_numpy_give_the_same_iou(convention):
    generator = np.random.default_rng(0)
    corners = generator.uniform(0, 50, (2, 30, 2))
    boxes = np.concatenate([corners[0], corners[0] + generator.uniform(0, 20, (30, 2))], 1)
    boxes[3, 2:] = boxes[3, :2]  # a degenerate box: zero area in 'voc'
    expected = pairwise_box_iou(boxes[:10], boxes, convention)
    result = pairwise_box_iou(torch.from_numpy(boxes[:10]), torch.from_numpy(boxes), convention)
    assert isinstance(result, torch.Tensor) and result.dtype == torch.float64
    np.testing.assert_allclose(result.numpy(), expected, rtol=1e-12)
    assert (expected >= 0).all() and (expected <= 1).all() and np.allclose(np.diag(expected)[np.arange(10) != 3], 1)
    float32 = paired_box_iou(torch.from_numpy(boxes).float(), torch.from_numpy(boxes[::-1].copy()).float(), convention)
    assert float32.dtype == torch.float32
    np.testing.assert_allclose(float32.numpy(), paired_box_iou(boxes, boxes[::-1], convention), atol=1e-6)


def test_empty_union_is_zero_not_nan():
    point = np.array([[5.0, 5.0, 5.0, 5.0]])
    assert pairwise_box_iou(point, point, 'voc')[0, 0] == 0.0
    assert pairwise_box_iou(torch.tensor(point), torch.tensor(point), 'voc')[0, 0].item() == 0.0
    assert pairwise_box_iou(point, point, 'act')[0, 0] == 1.0  # one pixel in the ACT convention
    assert box_pixel_offset('voc') == 0.0 and box_pixel_offset('act') == 1.0
