"""ART-B/16 against plain UniFormerV2-B/16 (its own backbone, Table IV's baseline head), 16 x 224^2, batch 1."""
import torch

from . import BackboneHead, Case, Variant, head_loss_workload, register_case


def _model(art, train):

    def build(quick=False):
        import warnings

        import mmaction_ext  # noqa: F401
        from mmaction.registry import MODELS
        from mmaction.structures import ActionDataSample
        torch.manual_seed(0)
        frames, side = (2, 64) if quick else (16, 224)
        backbone = MODELS.build(dict(type='UniFormerV2Tokens', arch='B/16', t_size=frames, input_resolution=side))
        head = MODELS.build(dict(type='ARTHead', num_classes=99, in_channels=768, num_frames=frames,
                                 text_channels=512, allow_random_bank=True, rssa=art, dropout_ratio=0.5))
        backbone.init_weights()
        with warnings.catch_warnings():  # the random bank's notice
            warnings.simplefilter('ignore')
            head.init_weights()
        model = BackboneHead(backbone, head).train(train)
        x = torch.randn(1, 3, frames, side, side)
        samples = [ActionDataSample().set_gt_label(3)]
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        # ART: what TextBankEMAHook does after each step
        return head_loss_workload(model, x, samples, optimizer, train, head.update_text_bank if art else None)

    return Variant(build=build)


BASELINE = 'UniFormerV2-B/16 16x224 (baseline head)'
ART = 'ours ART-B/16 16x224'

register_case('art_forward', Case(
    description='Forward latency per view, batch 1, 16x224x224, UniFormerV2-B/16 (random weights: the speed does '
    'not depend on them): ART (K = 2, d = 256, 4 + 4 DETR layers, 99 classes x 16 templates) against the same '
    'backbone with Table IV\'s baseline head. Target: ratio <= 1.10. A ratio below 1 is this VM\'s run-to-run '
    'spread (the head adds 7% of the GMACs; an earlier run gave 0.96).',
    peer=BASELINE, repeats=3, warmup=1,
    variants={BASELINE: _model(False, False), ART: _model(True, False)}))

register_case('art_train_step', Case(
    description='One training step (forward, backward, SGD, and for ART the bank EMA), batch 1, 16x224x224; ART '
    'adds L_v, the MTC terms and both bank losses (eq. 18). GMACs count a step as 3 forwards. Target: ratio <= 1.15. '
    'The first run, before the RSSA layers used fused attention (mmcv always asks for the maps), gave 1.54.',
    peer=BASELINE, repeats=3, warmup=1,
    variants={BASELINE: _model(False, True), ART: _model(True, True)}))
