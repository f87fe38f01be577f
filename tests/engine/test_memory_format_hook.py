import copy
from types import SimpleNamespace

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope

from mmaction_ext.engine.hooks import MemoryFormatHook


def _recognizer():
    init_default_scope('mmaction')
    import mmaction_ext  # noqa: F401 (registers UniFormerEMIM)
    torch.manual_seed(0)
    return MODELS.build(
        dict(type='Recognizer3D',
             backbone=dict(type='UniFormerEMIM', arch=dict(depth=[1, 1, 1, 1]), embed_dim=[16, 32, 64, 128],
                           head_dim=16, emim_stages=(3, ), window_size=3),
             cls_head=dict(type='I3DHead', in_channels=128, num_classes=4, average_clips='prob'),
             data_preprocessor=dict(type='ActionDataPreprocessor', mean=[0., 0., 0.], std=[1., 1., 1.],
                                    format_shape='NCTHW')))  # its 4-D mean buffer stays as it is


def test_backbone_runs_channels_last_with_the_same_outputs_and_gradients():
    model = _recognizer()
    converted = copy.deepcopy(model)
    MemoryFormatHook().before_run(SimpleNamespace(model=converted))
    seen = []  # registered after the conversion hook, so it sees what the backbone gets
    converted.backbone.register_forward_pre_hook(lambda _, args: seen.append(args[0].is_contiguous(
        memory_format=torch.channels_last_3d)))
    conv = converted.backbone.patch_embed1.proj.weight
    assert conv.dim() == 5 and conv.is_contiguous(memory_format=torch.channels_last_3d)
    # Weights with a size-1 dim are restrided too (is_contiguous would also accept their old strides): the
    # depthwise (C, 1, 3, 3, 3) and pointwise (C', C, 1, 1, 1) convs have the input channel fastest.
    assert converted.backbone.blocks1[0].pos_embed.weight.stride() == (27, 1, 9, 3, 1)
    assert converted.backbone.blocks1[0].conv1.weight.stride()[1] == 1
    x = torch.randn(2, 3, 4, 64, 64)
    out, out_cl = model.backbone(x), converted.backbone(x)
    assert seen == [True] and not x.is_contiguous(memory_format=torch.channels_last_3d)
    torch.testing.assert_close(out_cl, out, atol=1e-5, rtol=1e-4)
    out.square().mean().backward()
    out_cl.square().mean().backward()
    for (name, p), p_cl in zip(model.named_parameters(), converted.parameters()):
        if p.grad is not None:
            torch.testing.assert_close(p_cl.grad, p.grad, atol=1e-5, rtol=1e-3, msg=name)
    # Checkpoints are interchangeable.
    fresh = _recognizer()
    fresh.load_state_dict(converted.state_dict())
    torch.testing.assert_close(fresh.backbone(x), out, atol=1e-5, rtol=1e-4)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match='memory_format'):
        MemoryFormatHook(memory_format='nhwc')
    with pytest.raises(AttributeError, match="no submodule 'neck'"):
        MemoryFormatHook(module='neck').apply(_recognizer())
