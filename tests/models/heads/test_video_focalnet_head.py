"""VideoFocalNetHead: pooling, the official init, and init_cfg."""
import pytest
import torch

from mmaction_ext.models import VideoFocalNetHead


def test_head_pools_map_or_vector_and_has_official_init():
    head = VideoFocalNetHead(10, 32)
    head.init_weights()
    assert head.dropout is None and torch.all(head.fc_cls.bias == 0)
    assert head.fc_cls.weight.std().item() == pytest.approx(0.02, rel=0.2)
    feature_map = torch.randn(2, 32, 4, 3, 3)
    assert torch.allclose(head(feature_map), head(feature_map.mean((2, 3, 4))), atol=1e-6)


def test_head_init_cfg_takes_effect():
    head = VideoFocalNetHead(10, 32, init_cfg=dict(type='Constant', layer='Linear', val=0.5, bias=0.1))
    head.init_weights()
    assert (head.fc_cls.weight == 0.5).all() and torch.allclose(head.fc_cls.bias, torch.full((10, ), 0.1))
