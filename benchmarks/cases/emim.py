"""UniFormer-EMIM against MMAction2's UniFormer, and the EMIM attention against MMAction2's global MHSA.

The peer UniFormer gets the same stage-1 change as EMIM (no temporal stride), so both see 16 frames in
stages 3-4, as in the paper's Table 4 comparison (110 vs 85 GMACs).
"""
import torch

from . import Case, Variant, Workload, register_case


class _Classifier(torch.nn.Module):

    def __init__(self, backbone, num_classes=174, channels=512):
        super().__init__()
        self.backbone, self.fc = backbone, torch.nn.Linear(channels, num_classes)

    def forward(self, x):
        return self.fc(self.backbone(x).mean((2, 3, 4)))


def _backbone(name):
    import mmaction_ext  # noqa: F401
    from mmaction.models.backbones.uniformer import UniFormer

    from mmaction_ext.models.backbones import UniFormerEMIM
    if name == 'emim':
        backbone = UniFormerEMIM('s')
    else:
        backbone = UniFormer(depth=[3, 4, 8, 3], pretrained2d=False)
        backbone.patch_embed1.proj.stride = (1, 4, 4)  # as UniFormerEMIM: no stage-1 temporal stride
    backbone.init_weights()
    return backbone


def _model_step(name, train):

    def build(quick=False):
        frames, side = (2, 224) if quick else (16, 224)  # a 7x7 window needs 224 px (stage 4 is 7x7)
        model = _Classifier(_backbone(name)).train(train)
        x, label = torch.randn(1, 3, frames, side, side), torch.tensor([3])
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

        def step():
            if train:
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(x), label).backward()
                optimizer.step()
            else:
                with torch.no_grad():
                    model(x)

        return Workload(step=step, unit='clip' if train else 'view', model=model, flops_inputs=(x, ),
                        flops_scale=3.0 if train else 1.0)

    return Variant(build=build)


def _attention(name, batch, backward):
    """Stage 3 of a 16-frame 224 px clip: (batch, 16 x 14 x 14 tokens, 320 channels), 5 heads."""

    def build(quick=False):
        import mmaction_ext  # noqa: F401
        from mmaction.models.backbones.uniformer import Attention

        from mmaction_ext.models.layers import EMIMAttention
        frames, side = (4, 7) if quick else (16, 14)
        module = Attention(320, 5) if name == 'global' else EMIMAttention(320, 5)
        x = torch.randn(batch, frames * side * side, 320, requires_grad=backward)
        # The explicit-window path (what the FLOP counter traces), the oracle-like layout.
        module.explicit_windows = name == 'emim-gather'

        def forward():
            return module(x) if name == 'global' else module(x, (frames, side, side))

        def step():
            if backward:
                forward().sum().backward()
            else:
                with torch.no_grad():
                    forward()

        return Workload(step=step, unit=f'batch of {batch}')

    return Variant(build=build)


UNIFORMER = 'mmaction UniFormer-S 16x224 (no temporal stride)'
EMIM = 'ours UniFormer-EMIM-S 16x224'
GLOBAL = "mmaction UniFormer global MHSA"

register_case('emim_forward', Case(
    description='Forward latency per view, batch 1, 16x224x224: UniFormer-EMIM-S (E-O) against MMAction2\'s '
    'UniFormer-S with the same stage-1 change (the paper\'s Table 4 pair, 85 vs 110 GMACs). Target: ratio <= 1.0.',
    peer=UNIFORMER, repeats=5, warmup=1,
    variants={UNIFORMER: _model_step('uniformer', False), EMIM: _model_step('emim', False)}))

register_case('emim_train_step', Case(
    description='One training step (forward, backward, AdamW), batch 1, 16x224x224. GMACs count a step as 3 '
    'forwards. Target: ratio <= 1.0.',
    peer=UNIFORMER, repeats=3, warmup=1,
    variants={UNIFORMER: _model_step('uniformer', True), EMIM: _model_step('emim', True)}))

register_case('emim_attention_layer', Case(
    description='The attention layer alone at stage 3 of a 16-frame clip (3136 tokens, C 320, 5 heads, 7x7 '
    'windows), forward + backward, batch 1: EMIM dense + gather (the default), EMIM with explicit gathered '
    "windows, and MMAction2's UniFormer global MHSA.",
    peer=GLOBAL, repeats=5, warmup=1,
    variants={GLOBAL: _attention('global', 1, True), 'ours EMIM (dense + gather)': _attention('emim', 1, True),
              'ours EMIM (gathered windows)': _attention('emim-gather', 1, True)}))

register_case('emim_attention_memory', Case(
    description='Peak memory (RSS) and latency of the attention layer at stage 3, batch 8, 16 frames, forward + '
    "backward: EMIM against MMAction2's global MHSA, which materialises the (THW)^2 affinity.",
    peer=GLOBAL + ' B=8', repeats=2, warmup=0,
    variants={GLOBAL + ' B=8': _attention('global', 8, True), 'ours EMIM B=8': _attention('emim', 8, True)}))
