"""CSA's efficiency claims (paper Table 6): one pass per tube against a per-keyframe detector, and the FLOPs of
the ViT-B models at 256x360.

- ``csa_tube_latency``: a 32-frame tube of UCF101-24 at 224 px. Ours: CSA-UCF (ViT-B, 32x1), one forward.
  Peer: MMAction2's FastRCNN-style ViT-B AVA detector (VideoMAE, 16x4 clips, 224 px, ground-truth proposals:
  2 actors) run once per keyframe, 32 times. Target: >= 2.5x faster per tube, and the latency ratio within 1.5x
  of the GMAC ratio.
- ``csa_table6_flops``: GMACs of CSA-JHMDB (40x1) and CSA-UCF (32x1) at 256x360 against Table 6's 3.26T / 3.73T
  (within 10%); peer: MMAction2's VideoMAE ViT-B backbone alone on the 40-frame input (the share of the
  backbone).
"""
import torch

from . import Case, Variant, Workload, register_case


class _Tensors(torch.nn.Module):
    """A detector's tensor-mode forward with plain tensor outputs (for the FLOP counter's trace)."""

    def __init__(self, detector):
        super().__init__()
        self.detector = detector

    def forward(self, x):
        out = self.detector(x)
        return out['class_logits'], out['boxes'], out['actor_logits']


def _csa(config, frames, size):
    import mmaction_ext  # noqa: F401
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    cfg = Config.fromfile(config)
    cfg.model.backbone.init_cfg = None
    cfg.model.num_frames = cfg.model.backbone.num_frames = frames
    model = MODELS.build(cfg.model).eval()
    model.init_weights()
    return _Tensors(model), torch.randn(1, 3, frames, *size)


def _ours(config, frames, size):

    def build(quick=False):
        model, x = _csa(config, frames if not quick else 8, size if not quick else (64, 96))

        def step():
            with torch.no_grad():
                model(x)

        return Workload(step=step, unit='tube', model=model, flops_inputs=(x, ))

    return Variant(build=build)


class _FastRCNNPerKeyframe(torch.nn.Module):
    """MMAction2's FastRCNN ViT-B AVA detector on one keyframe clip with 2 ground-truth proposals."""

    def __init__(self, frames=16, size=224):
        super().__init__()
        import mmaction
        import mmdet.models  # noqa: F401

        import mmaction_ext  # noqa: F401  (the stack's import fixes)
        from mmaction.registry import MODELS
        from mmengine.config import Config
        from mmengine.registry import init_default_scope
        init_default_scope('mmaction')
        import os.path as osp
        cfg = Config.fromfile(osp.join(osp.dirname(mmaction.__file__), '.mim', 'configs', 'detection', 'videomae',
                                       'vit-base-p16_videomae-k400-pre_8xb8-16x4x1-20e-adamw_ava-kinetics-rgb.py'))
        cfg.model.init_cfg = None
        cfg.model.backbone.num_frames = frames
        self.model = MODELS.build(cfg.model).eval()
        from mmaction.structures import ActionDataSample
        from mmengine.structures import InstanceData
        sample = ActionDataSample()
        sample.set_metainfo(dict(img_shape=(size, size)))
        sample.proposals = InstanceData(bboxes=torch.tensor([[20.0, 30, 100, 200], [120, 40, 200, 210]]))
        self.samples = [sample]

    def forward(self, x):
        return self.model(x, self.samples, mode='predict')


def _peer(keyframes):

    def build(quick=False):
        frames, size = (4, 64) if quick else (16, 224)
        peer = _FastRCNNPerKeyframe(frames, size)
        x = torch.randn(1, 3, frames, size, size)

        def step():  # one keyframe pass; a tube costs `keyframes` identical passes (items_per_step below)
            with torch.no_grad():
                peer(x)

        # GMACs: the backbone of every pass (the RoI head adds < 0.1%); the counter cannot trace RoIAlign.
        return Workload(step=step, unit='tube', items_per_step=1 / keyframes, model=peer.model.backbone,
                        flops_inputs=(x, ), flops_scale=keyframes)

    return Variant(build=build)


register_case('csa_tube_latency', Case(
    description='Per-32-frame-tube inference on 2 CPU threads at 224 px: CSA-UCF (ViT-B 32x1, 15 actor queries '
    'per frame, one pass gives the tube) against MMAction2\'s FastRCNN-style ViT-B AVA detector (VideoMAE 16x4, '
    'ground-truth proposals, 2 actors) run once per keyframe: a tube costs 32 passes (one pass timed, x32; the '
    'passes are identical work). Random weights (speed does not depend on them). Target (paper Table 6): ours '
    '>= 2.5x faster per tube, latency ratio within 1.5x of the GMAC ratio. '
    'The peer\'s GMACs count its backbone only (the RoI head, which the counter cannot trace, adds < 0.1%). '
    'Peak RSS includes the FLOP counter\'s trace of the same process (ours: 12 GB traced, 2.5 GB for inference '
    'alone). Latency on this VM varies by about 10-15% between runs: docs/csa.md "Performance" lists re-runs.',
    peer='mmaction FastRCNN ViT-B, 32 keyframe passes',
    variants={
        'ours CSA-UCF ViT-B 32x1, one pass': _ours('configs/csa/csa_vit-b_k400-pre_8xb1-18e_32x1x1_ucf101-24.py', 32,
                                                    (224, 224)),
        'mmaction FastRCNN ViT-B, 32 keyframe passes': _peer(32),
    },
    repeats=3, warmup=1))


def _backbone_only(frames, size):

    def build(quick=False):
        model, x = _csa('configs/csa/csa_vit-b_k400-pre_8xb1-350e_40x1x1_jhmdb51-21.py', 8 if quick else frames,
                        (64, 96) if quick else size)
        backbone = model.detector.backbone

        def step():
            with torch.no_grad():
                backbone(x)

        return Workload(step=step, unit='tube', model=backbone, flops_inputs=(x, ))

    return Variant(build=build)


register_case('csa_table6_flops', Case(
    description='GMACs (fvcore convention, as the paper\'s "FLOPs") and CPU latency of one tube at 256x360 '
    '(Table 6: 3.26T for the 40-frame JHMDB tube, 3.73T for the 32-frame UCF101-24 tube; 117.8M parameters). '
    'Peer: MMAction2\'s VideoMAE ViT-B alone on the 40-frame input, the backbone\'s share. One timed pass each, '
    'run beside a training job (1 thread): the latencies here are not speed figures, the GMACs are the point.',
    peer='mmaction VideoMAE ViT-B backbone, 40x256x360',
    variants={
        'ours CSA-JHMDB ViT-B 40x1': _ours('configs/csa/csa_vit-b_k400-pre_8xb1-350e_40x1x1_jhmdb51-21.py', 40,
                                           (256, 360)),
        'ours CSA-UCF ViT-B 32x1': _ours('configs/csa/csa_vit-b_k400-pre_8xb1-18e_32x1x1_ucf101-24.py', 32,
                                         (256, 360)),
        'mmaction VideoMAE ViT-B backbone, 40x256x360': _backbone_only(40, (256, 360)),
    },
    repeats=1, warmup=0))


def _sampling(impl, backward):
    """One CSA-UCF encoder layer's trilinear sampling (ViT-B levels of a 32-frame 224 px tube: T 16, 56/28/14/7
    px; 8 heads of 32 channels, 8 points) for a chunk of 8192 queries."""

    def build(quick=False):
        from mmaction_ext.models.layers import ms_deform_attn_3d
        shapes = [(4, 14, 14), (4, 7, 7)] if quick else [(16, 56, 56), (16, 28, 28), (16, 14, 14), (16, 7, 7)]
        queries = 512 if quick else 8192
        gen = torch.Generator().manual_seed(0)
        tokens = sum(t * h * w for t, h, w in shapes)
        value = torch.randn(1, tokens, 8, 32, generator=gen, requires_grad=backward)
        locations = (torch.rand(1, queries, 8, len(shapes), 8, 3, generator=gen) * 1.2 - 0.1).requires_grad_(backward)
        weights = torch.rand(1, queries, 8, len(shapes), 8, generator=gen).softmax(-1).requires_grad_(backward)

        def step():
            if backward:
                ms_deform_attn_3d(value, shapes, locations, weights, impl=impl).sum().backward()
            else:
                with torch.no_grad():
                    ms_deform_attn_3d(value, shapes, locations, weights, impl=impl)

        return Workload(step=step, unit=f'{queries} queries')

    return Variant(build=build)


register_case('csa_sampling_inference', Case(
    description='The 3-D deformable attention core (`ms_deform_attn_3d`) in inference, 8192 queries over the '
    'CSA-UCF encoder levels (ViT-B, 32 frames, 224 px; 8 heads x 32 channels, 4 levels x 8 points), 2 threads: '
    'the gather path (`embedding_bag` over contiguous value rows, what `impl=\'auto\'` runs without gradients) '
    'against the 5-D `grid_sample` reference. Target: ratio < 1.',
    peer="ours grid_sample (reference)", repeats=5, warmup=1,
    variants={"ours grid_sample (reference)": _sampling('grid_sample', False),
              "ours gather": _sampling('gather', False)}))

register_case('csa_sampling_train_step', Case(
    description='As csa_sampling_inference, forward and backward (value, locations and weights need gradients). '
    'The gather path\'s backward is the slower one here, so `impl=\'auto\'` keeps `grid_sample` in training.',
    peer="ours grid_sample (reference)", repeats=3, warmup=1,
    variants={"ours grid_sample (reference)": _sampling('grid_sample', True),
              "ours gather": _sampling('gather', True)}))
