"""Video-FocalNet-T against MMAction2's Video Swin-T (SwinTransformer3D), per view, batch 1.

Paper setting (the paper's per-view comparison, 79.8 vs 78.8 top-1 on K400): Video-FocalNet-T on
8x224x224 (63 GMACs) against Swin-T with patch (2, 4, 4) and window (8, 7, 7) on 32x224x224 (88 GMACs).
"""
import torch

from . import BackboneHead, Case, Variant, Workload, register_case


def _model(name):
    import mmaction_ext  # noqa: F401
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    if name == 'focalnet':
        backbone = MODELS.build(dict(type='VideoFocalNet', arch='tiny', num_frames=8))
        head = MODELS.build(dict(type='VideoFocalNetHead', num_classes=400, in_channels=768))
    else:
        backbone = MODELS.build(dict(type='SwinTransformer3D', arch='tiny', patch_size=(2, 4, 4),
                                     window_size=(8, 7, 7), pretrained=None, pretrained2d=False))
        head = MODELS.build(dict(type='I3DHead', num_classes=400, in_channels=768, dropout_ratio=0.0))
    backbone.init_weights()
    return BackboneHead(backbone, head)


def _forward(name, frames, size=224):

    def build(quick=False):
        side = 64 if quick else size
        model = _model(name).eval()
        x = torch.randn(1, 3, frames, side, side)

        def step():
            with torch.no_grad():
                model(x)

        return Workload(step=step, unit='view', model=model, flops_inputs=(x, ))

    return Variant(build=build)


def _train_step(name, frames, size=224):

    def build(quick=False):
        side = 64 if quick else size
        model = _model(name).train()
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, nesterov=True)
        x, label = torch.randn(1, 3, frames, side, side), torch.tensor([3])

        def step():
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), label).backward()
            optimizer.step()

        return Workload(step=step, unit='clip', model=model, flops_inputs=(x, ), flops_scale=3.0)

    return Variant(build=build)


SWIN_32 = 'mmaction Swin-T 32x224 (patch 2x4x4, window 8x7x7)'
FOCAL_8 = 'ours Video-FocalNet-T 8x224'

register_case('video_focalnet_paper_setting', Case(
    description='Forward latency per view, batch 1, each model at its paper setting: Video-FocalNet-T on '
    "8x224x224 vs MMAction2's Video Swin-T on 32x224x224 (the paper's per-view comparison). Target: ratio "
    '<= 0.75.',
    peer=SWIN_32, repeats=5, warmup=1,
    variants={SWIN_32: _forward('swin', 32), FOCAL_8: _forward('focalnet', 8)}))

register_case('video_focalnet_same_input', Case(
    description='Forward latency per view, batch 1, both models on the same 8x224x224 input.',
    peer='mmaction Swin-T 8x224', repeats=5, warmup=1,
    variants={'mmaction Swin-T 8x224': _forward('swin', 8), FOCAL_8: _forward('focalnet', 8)}))

register_case('video_focalnet_train_step', Case(
    description='One training step (forward, backward, SGD update), batch 1, at the paper settings. GMACs '
    'count a step as 3 forwards.',
    peer=SWIN_32, repeats=3, warmup=1,
    variants={SWIN_32: _train_step('swin', 32), FOCAL_8: _train_step('focalnet', 8)}))
