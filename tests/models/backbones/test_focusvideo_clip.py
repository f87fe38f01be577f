"""FocusVideo's backbone: the parameter-free interaction, query propagation, switches, and the paper's counts."""
import pytest
import torch
from torch import nn

import mmaction_ext  # noqa: F401
from mmaction_ext.models.backbones import CLIPViT, FocusVideoCLIP
from mmaction_ext.models.backbones.focusvideo_clip import propagation_layer_indices
from mmaction_ext.models.heads import FocusVideoHead

TINY = dict(arch=dict(width=64, layers=4, patch_size=16, image_size=32), num_frames=3, adapter_channels=16)


def _learnable(*modules):
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


def _pair(**kwargs):
    """A FocusVideo backbone and the global branch alone with the same weights (adapters non-trivial)."""
    torch.manual_seed(0)
    focus = FocusVideoCLIP(**TINY, **kwargs)
    focus.init_weights()
    for module in focus.modules():
        if isinstance(module, nn.Conv3d):
            module.weight.data.normal_(std=0.1)
    plain = CLIPViT(**TINY, adapter_positions=kwargs.get('adapter_positions', ('pre_attn', )))
    plain.load_state_dict(focus.state_dict(), strict=False)
    return focus.eval(), plain.eval()


@pytest.mark.parametrize('interaction', ['attention', 'attention_tad', 'attention_ffn', 'none'])
def test_queries_leave_the_global_branch_unchanged(interaction):
    focus, plain = _pair(interaction=interaction, adapter_positions=('pre_attn', 'pre_mlp'))
    video = torch.randn(2, 3, 3, 32, 32)
    with torch.no_grad():
        (v, f, q), (v0, f0) = focus(video), plain(video)
    assert torch.allclose(v, v0, atol=1e-5) and torch.allclose(f, f0, atol=1e-5)
    assert q.shape == (2, 3, 8, 64)


def test_interaction_adds_no_parameter():
    counts = {name: _learnable(FocusVideoCLIP(**TINY, interaction=name))
              for name in ('none', 'attention', 'attention_tad', 'attention_ffn')}
    assert len(set(counts.values())) == 1, counts


def test_interacted_queries_follow_eq_11():
    """A_FI = A + MHCA(LN(A), LN(ST-AD(X))) with the block's own ln_1 and attention (an nn.MultiheadAttention
    oracle), per frame, and the QP layer consumes exactly that."""
    focus, _ = _pair()
    x = focus.embed(torch.randn(1, 3, 3, 32, 32))
    queries = torch.randn(3, 8, 64)
    block = focus.visual.transformer.resblocks[0]
    with torch.no_grad():
        _, interacted, probs = focus.forward_block_with_queries(0, x, queries, 3, need_weights=True)
        adapted = focus.adapters_pre_attn['0'](x, 3, focus.grid)
        reference, reference_probs = block.attn(block.ln_1(queries), block.ln_1(adapted), block.ln_1(adapted))
        cls_probs = block.attn(block.ln_1(adapted), block.ln_1(adapted), block.ln_1(adapted))[1][:, :1]
    assert torch.allclose(interacted, queries + reference, atol=1e-5)
    assert probs.shape == (3, 1 + 8, 5) and torch.allclose(probs[:, 1:], reference_probs, atol=1e-6)
    assert torch.allclose(probs[:, :1], cls_probs, atol=1e-6)


@pytest.mark.parametrize('layers, expected', [('all', (0, 1, 2, 3)), ('half', (1, 3)), ('top', (3, )),
                                              ([2, 0], (0, 2))])
def test_propagation_runs_after_the_named_blocks_only(layers, expected):
    assert propagation_layer_indices(layers, 4) == expected
    focus, _ = _pair(propagation_layers=layers)
    calls = []
    focus.query_propagation.register_forward_hook(lambda *args: calls.append(1))
    seen = []
    original = focus.forward_block_with_queries

    def spy(index, *args, **kwargs):
        seen.append(index)
        return original(index, *args, **kwargs)

    focus.forward_block_with_queries = spy
    with torch.no_grad():
        focus(torch.randn(1, 3, 3, 32, 32))
    assert tuple(seen) == expected and len(calls) == len(expected)


def test_non_shared_propagation_and_no_local_layer():
    shared, separate = FocusVideoCLIP(**TINY), FocusVideoCLIP(**TINY, share_propagation=False)
    qp = _learnable(shared.query_propagation)
    assert _learnable(separate) - _learnable(shared) == 3 * qp  # 4 layers instead of 1
    without = FocusVideoCLIP(**TINY, local_st_modeling=False)
    assert without.local_st is None and _learnable(shared) - _learnable(without) == _learnable(shared.local_st)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match='num_queries=0'):
        FocusVideoCLIP(**TINY, num_queries=0)
    with pytest.raises(ValueError, match="interaction='ffn'"):
        FocusVideoCLIP(**TINY, interaction='ffn')
    with pytest.raises(ValueError, match=r'propagation_layers \[7\]'):
        FocusVideoCLIP(**TINY, propagation_layers=[7])
    with pytest.raises(ValueError, match="needs an ST-Adapter in block 0"):
        FocusVideoCLIP(**TINY, adapter_positions=(), interaction='attention_tad')(torch.randn(1, 3, 3, 32, 32))
    with pytest.raises(ValueError, match='num_frames=3 but got T=8'):
        FocusVideoCLIP(**TINY)(torch.randn(1, 3, 8, 32, 32))


@pytest.mark.parametrize('arch, expected_total', [('ViT-B/16', 15e6), ('ViT-L/14', 33e6)])
def test_learnable_parameters_match_the_paper(arch, expected_total):
    """Tables 1 and 3c: 15M (B/16) / 33M (L/14) learnable with K400's one adapter per block and 400 classes;
    the shared local branch 7.9M, non-shared 46.9M (B/16)."""
    focus = FocusVideoCLIP(arch=arch, adapter_positions=('pre_mlp', ))
    head = FocusVideoHead(400, focus.embed_dims, query_supervision='recon_online')
    assert _learnable(focus, head) == pytest.approx(expected_total, rel=0.03)
    if arch == 'ViT-B/16':
        global_only = _learnable(CLIPViT(arch=arch, adapter_positions=('pre_mlp', )),
                                 FocusVideoHead(400, 768, query_supervision='none'))
        assert _learnable(focus, head) - global_only == pytest.approx(7.9e6, rel=0.03)
        separate = FocusVideoCLIP(arch=arch, adapter_positions=('pre_mlp', ), share_propagation=False)
        assert _learnable(separate, head) - global_only == pytest.approx(46.9e6, rel=0.03)


def test_gmacs_per_view_match_the_global_branch_numbers():
    """ST-Adapter B/16, 8 x 224^2, one view: 148 GFLOPs (K400 preset: one adapter per block) and 163 (SSv2: two),
    Tables 1-2, within 3% (mmengine counts multiply-accumulates, SDPA included); the local branch adds at most
    5 GMACs. FocusVideo's own 204 / 227 do not follow from its equations (docs/focusvideo.md)."""
    from mmaction_ext.models.utils import count_gmacs
    video = (torch.randn(1, 3, 8, 224, 224), )
    k400 = count_gmacs(CLIPViT(adapter_positions=('pre_mlp', )), video)
    ssv2 = count_gmacs(CLIPViT(adapter_positions=('pre_attn', 'pre_mlp')), video)
    focus = count_gmacs(FocusVideoCLIP(adapter_positions=('pre_mlp', )), video)
    assert k400 == pytest.approx(148, rel=0.03) and ssv2 == pytest.approx(163, rel=0.03)
    assert 0 < focus - k400 <= 5


UNIFORMERV2_TINY = dict(type='UniFormerV2', input_resolution=32, patch_size=16, width=64, layers=3, heads=2,
                        t_size=4, temporal_downsample=True, return_list=[1, 2], n_layers=2, n_dim=64, n_head=2,
                        clip_pretrained=False, pretrained=None)


def test_query_injection_leaves_uniformerv2_unchanged():
    """Beyond the paper: the local branch on MMAction2's UniFormerV2 (its blocks: nn.MultiheadAttention, seq-first)."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    from mmaction_ext.models.backbones import QueryInjection
    init_default_scope('mmaction')
    torch.manual_seed(0)
    injected = QueryInjection(UNIFORMERV2_TINY, num_frames=2, embed_dims=64, propagation_layers='half').eval()
    injected.init_weights()
    plain = MODELS.build(UNIFORMERV2_TINY).eval()
    plain.load_state_dict(injected.backbone.state_dict())
    video = torch.randn(2, 3, 4, 32, 32)
    with torch.no_grad():
        pooled, frames, queries = injected(video)
        assert torch.allclose(pooled, plain(video), atol=1e-5)
    assert queries.shape == (2, 2, 8, 64) and frames.shape == (2, 2, 64)
    assert injected.propagation_layers == (0, 2)
    # The queries really read the blocks: other tokens, other queries.
    with torch.no_grad():
        assert not torch.allclose(injected(video.flip(2))[2], queries)
    with pytest.raises(ValueError, match='set QueryInjection.num_frames'):
        QueryInjection(UNIFORMERV2_TINY, num_frames=4, embed_dims=64)(video)
    with pytest.raises(ValueError, match="no submodule 'blocks'"):
        QueryInjection(UNIFORMERV2_TINY, num_frames=2, embed_dims=64, blocks='blocks')


def test_query_injection_adds_the_local_branch_parameters_to_uniformerv2_b16():
    """UniFormerV2-B/16 (8 frames, 4 after its temporal downsampling) + the shared local branch and FocusVideo's
    reconstruction projection: +7.73M parameters."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    from mmaction_ext.models.backbones import QueryInjection
    init_default_scope('mmaction')
    config = dict(type='UniFormerV2', clip_pretrained=False, pretrained=None)
    plain = MODELS.build(config)  # its drop-path schedule calls .item(): no meta device
    injected = QueryInjection(config, num_frames=4, embed_dims=768)
    head = FocusVideoHead(400, 768, query_supervision='recon_online')
    added = sum(p.numel() for p in injected.parameters()) - sum(p.numel() for p in plain.parameters())
    assert added + sum(p.numel() for p in head.recon_proj.parameters()) == pytest.approx(7.73e6, rel=0.01)


@pytest.mark.parametrize('config', ['focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py',
                                    'focusvideo_vit-b16_clip-pre_4xb16-50e_8x1x1_sthv2-rgb.py'])
def test_paper_configs_queries_read_adapted_tokens(config):
    """Eqs. 1-4: each block's adapter comes before attention and the queries attend to LN(ST-AD(X)): in the
    shipped configs, changing block 0's adapters changes what block 0's queries take from the tokens."""
    import os.path as osp

    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from helpers import REPO_ROOT
    from helpers.config_smoke import shrink_model
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'focusvideo', config))
    shrink_model(cfg.model)
    cfg.model.backbone.pretrained = None
    backbone = MODELS.build(cfg.model.backbone)
    backbone.init_weights()
    frames = cfg.model.backbone.num_frames
    torch.manual_seed(0)
    tokens = torch.randn(frames, 1 + 14 * 14, backbone.embed_dims)
    queries = torch.randn(frames, 8, backbone.embed_dims)
    before = backbone.forward_block_with_queries(0, tokens, queries, frames)[1]
    for name, param in backbone.named_parameters():
        if name.startswith(('adapters_pre_attn.0.', 'adapters_pre_mlp.0.')):
            param.data.normal_(0, 0.5)
    after = backbone.forward_block_with_queries(0, tokens, queries, frames)[1]
    assert not torch.allclose(before, after)
