"""FocusVideo-B/16 against its own global branch (ST-Adapter-B/16, Table 3a M1), 8 x 224^2, batch 1."""
import torch

from . import BackboneHead, Case, Variant, head_loss_workload, register_case


def _model(name, train):

    def build(quick=False):
        import mmaction_ext  # noqa: F401
        from mmaction.structures import ActionDataSample

        from mmaction_ext.models.backbones import CLIPViT, FocusVideoCLIP
        from mmaction_ext.models.heads import FocusVideoHead
        torch.manual_seed(0)
        frames, side = (2, 64) if quick else (8, 224)
        kwargs = dict(arch='ViT-B/16', num_frames=frames, input_resolution=side, adapter_positions=('pre_mlp', ))
        backbone = FocusVideoCLIP(**kwargs) if name == 'focusvideo' else CLIPViT(**kwargs)
        backbone.init_weights()
        head = FocusVideoHead(400, 768, query_supervision='recon_online' if name == 'focusvideo' else 'none')
        model = BackboneHead(backbone, head).train(train)
        x = torch.randn(1, 3, frames, side, side)
        samples = [ActionDataSample().set_gt_label(3)]
        optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
        return head_loss_workload(model, x, samples, optimizer, train)

    return Variant(build=build)


GLOBAL = 'ST-Adapter-B/16 (global branch, M1) 8x224'
FOCUS = 'ours FocusVideo-B/16 8x224'

register_case('focusvideo_forward', Case(
    description='Forward latency per view, batch 1, 8x224x224, frozen CLIP ViT-B/16 with the K400 adapter preset '
    '(random weights: the speed does not depend on them): FocusVideo (8 queries per frame, shared QP layer after '
    'every block, local layer) against its own global branch alone. Target: ratio <= 1.10.',
    peer=GLOBAL, repeats=5, warmup=1,
    variants={GLOBAL: _model('global', False), FOCUS: _model('focusvideo', False)}))

register_case('focusvideo_train_step', Case(
    description='One training step (forward, backward through the frozen CLIP into the adapters and queries, '
    'AdamW on the learnable parameters; FocusVideo adds L_recon with online targets), batch 1, 8x224x224. GMACs '
    'count a step as 3 forwards (an upper bound: the frozen weights get no gradient). Target: ratio <= 1.15. '
    'Other runs the same day: 1.17 and 1.10 (2 threads), 1.13 (1 thread): this VM\'s spread; docs/focusvideo.md.',
    peer=GLOBAL, repeats=3, warmup=1,
    variants={GLOBAL: _model('global', True), FOCUS: _model('focusvideo', True)}))
