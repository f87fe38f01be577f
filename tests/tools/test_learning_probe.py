"""tools/analysis/learning_probe.py: its measures on hand-made networks whose answers are known."""
import pytest
import torch
from torch import nn

from helpers import load_tool

probe = load_tool('tools/analysis/learning_probe.py')


class Pooled(nn.Module):
    """A 'recognizer' whose backbone is ``body``: what the probe's measures read."""

    def __init__(self, body):
        super().__init__()
        self.backbone = body


class TemporalDifference(nn.Module):
    """Rectified forward difference along time: sees the direction of time (a clip's reverse differs)."""

    def forward(self, x):
        return torch.relu(x[:, :, 1:] - x[:, :, :-1])


def clips(n=6, t=8, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, t, 4, 4, generator=g).cumsum(2)  # drifting pixels: not time-symmetric


def test_reversal_sensitivity_is_zero_for_a_time_blind_network_and_positive_for_a_direction_detector():
    blind = Pooled(nn.Conv3d(3, 4, 1))  # a pointwise map: pooled over time, a clip and its reverse are identical
    assert probe.reversal_sensitivity(blind, clips()) == pytest.approx(0.0, abs=1e-6)
    seeing = Pooled(TemporalDifference())
    value = probe.reversal_sensitivity(seeing, clips())
    # By hand: relu(d) and relu(-d) pooled differ by mean(d) per channel, which the drift makes non-zero.
    x = clips()
    forward = torch.relu(x[:, :, 1:] - x[:, :, :-1]).flatten(2).mean(-1)
    backward = torch.relu(x.flip(2)[:, :, 1:] - x.flip(2)[:, :, :-1]).flatten(2).mean(-1)
    expected = (forward - backward).abs().mean() / (forward - forward.roll(1, 0)).abs().mean()
    assert value == pytest.approx(float(expected), rel=1e-6) and value > 0.1


def test_stage_reversal_names_each_stage():
    body = nn.Sequential(nn.Conv3d(3, 4, 1), TemporalDifference())
    body[1].register_parameter('unused', nn.Parameter(torch.zeros(1)))  # stages are modules with parameters
    stages = probe.stage_reversal_sensitivity(Pooled(body), clips())
    assert set(stages) == {'0', '1'}
    assert stages['0'] == pytest.approx(0.0, abs=1e-6) and stages['1'] > 0.05


def test_relative_spread_is_zero_for_a_constant_output():
    assert probe.relative_spread(torch.ones(5, 7)) == 0.0
    assert probe.relative_spread(torch.arange(10.).reshape(5, 2)) > 0.5


def test_online_pipeline_swaps_the_reader():
    steps = [dict(type='DecordInit'), dict(type='SampleFrames', clip_len=8), dict(type='DecordDecode'),
             dict(type='Resize', scale=(-1, 88))]
    assert [s['type'] for s in probe.online_pipeline(steps)] == ['SampleFrames', 'ArrayDecode', 'Resize']


def _tiny_uniformer():
    from mmaction.models.backbones import UniFormer
    return UniFormer(depth=[1, 1, 1, 1], embed_dim=[8, 16, 16, 16], head_dim=8, img_size=32, drop_path_rate=0.1)


def test_attention_stages_become_convolutional_blocks_of_the_same_shape():
    from mmaction.models.backbones.uniformer import CBlock, SABlock
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    x = torch.randn(2, 3, 4, 32, 32)
    before = backbone(x).shape
    assert isinstance(backbone.blocks3[0], SABlock)
    probe.replace_attention_blocks(backbone, (3, 4))
    assert all(isinstance(b, CBlock) for b in (*backbone.blocks3, *backbone.blocks4))
    assert backbone.blocks4[0].drop_path.drop_prob == pytest.approx(0.1)  # the last block keeps its rate
    assert backbone(x).shape == before
    assert not any(isinstance(m, SABlock) for m in backbone.modules())


def test_resnet_like_blocks_are_dense_and_rectify_the_stream():
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    probe.make_blocks_resnet_like(backbone, dense=True, rectify=True)
    block = backbone.blocks1[0]
    assert block[0].attn.groups == 1 and block[0].attn.kernel_size == (3, 3, 3)
    stream = torch.randn(2, 8, 4, 8, 8)
    out = block(stream)
    assert out.min() >= 0 and torch.equal(out, torch.relu(block[0](stream)))
    assert not isinstance(backbone.blocks3[0], nn.Sequential)  # attention blocks are left as they are
    assert probe.rectify_attention_blocks(backbone) == ['blocks3.0', 'blocks4.0']
    attention = backbone.blocks3[0]
    stream = torch.randn(2, 16, 4, 2, 2)
    assert torch.equal(attention(stream), torch.relu(attention[0](stream)))
    with pytest.raises(ValueError, match='rectify-attention'):
        probe.rectify_attention_blocks(backbone)  # every attention block is wrapped already


def test_freeze_stops_exactly_the_named_parameters_and_names_a_miss():
    backbone = nn.Sequential(nn.Conv3d(3, 4, 1), nn.Conv3d(4, 4, 1))
    assert probe.freeze(backbone, ('0.', )) == ['0.weight', '0.bias']
    assert [p.requires_grad for p in backbone.parameters()] == [False, False, True, True]
    with pytest.raises(ValueError, match='patch_embed1'):
        probe.freeze(backbone, ('patch_embed1', ))


def test_resnet_blocks_start_as_the_identity_and_keep_the_shapes():
    from mmaction.models.backbones.resnet3d import BasicBlock3d
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    x = torch.randn(2, 3, 4, 32, 32)
    before = backbone(x).shape
    probe.replace_with_resnet_blocks(backbone)
    blocks = [b for name in ('blocks1', 'blocks2', 'blocks3', 'blocks4') for b in getattr(backbone, name)]
    assert all(isinstance(b, BasicBlock3d) for b in blocks)
    assert backbone(x).shape == before
    # ResNet3d's initialisation: the block's last BatchNorm at 0, so the block is relu(x): the identity on x >= 0.
    stream = torch.rand(2, 8, 4, 8, 8)
    assert torch.equal(backbone.blocks1[0](stream), stream)


def test_zero_init_residual_makes_every_branch_start_at_zero():
    from mmaction.models.backbones.uniformer import CBlock, SABlock
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    zeroed = probe.zero_init_residual_branches(backbone)
    assert set(zeroed) == {'blocks1.0.conv2', 'blocks1.0.mlp.fc2', 'blocks2.0.conv2', 'blocks2.0.mlp.fc2',
                           'blocks3.0.attn.proj', 'blocks3.0.mlp.fc2', 'blocks4.0.attn.proj', 'blocks4.0.mlp.fc2'}
    # Each block is then its position convolution alone: x + pos_embed(x).
    for block, dim in ((backbone.blocks1[0], 8), (backbone.blocks3[0], 16)):
        assert isinstance(block, (CBlock, SABlock))
        stream = torch.randn(2, dim, 4, 8, 8)
        with torch.no_grad():
            assert torch.allclose(block(stream), stream + block.pos_embed(stream), atol=1e-6)
    with pytest.raises(ValueError, match='zero-init-residual'):
        probe.zero_init_residual_branches(nn.Sequential(nn.Conv3d(3, 4, 1)))


def test_overlapping_patch_embeddings_keep_the_border_of_odd_maps():
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    x = torch.randn(1, 3, 4, 40, 40)  # stages 1-2 are 10x10 and 5x5: 1x2x2 patches drop the 5th row and column
    assert backbone(x).shape[-2:] == (1, 1)
    probe.overlap_patch_embeddings(backbone)
    assert backbone.patch_embed1.proj.kernel_size == (3, 4, 4)  # the stem is left as it is
    assert all(getattr(backbone, f'patch_embed{i}').proj.kernel_size == (3, 3, 3) for i in (2, 3, 4))
    assert backbone(x).shape[-2:] == (2, 2)  # 10 -> 5 -> 3 -> 2


def test_attention_entropy_is_one_for_uniform_attention_and_falls_when_attention_selects():
    torch.manual_seed(0)
    model = Pooled(_tiny_uniformer()).eval()
    x = torch.randn(2, 3, 4, 32, 32)
    for block in (*model.backbone.blocks3, *model.backbone.blocks4):
        torch.nn.init.zeros_(block.attn.qkv.weight)  # q = k = 0: every query weighs every token equally
    entropy = probe.attention_entropy(model, x)
    assert set(entropy) == {'blocks3.0.attn', 'blocks4.0.attn'}
    assert all(v == pytest.approx(1.0, abs=1e-6) for v in entropy.values())
    for block in (*model.backbone.blocks3, *model.backbone.blocks4):
        torch.nn.init.normal_(block.attn.qkv.weight, std=2.0)  # large logits: each query picks a few tokens
    assert all(v < 0.5 for v in probe.attention_entropy(model, x).values())
    assert not model.training  # the model's mode is restored


def test_reinit_qkv_sets_the_scale_of_every_global_attention_and_names_a_miss():
    torch.manual_seed(0)
    backbone = _tiny_uniformer()
    assert probe.reinit_qkv(backbone, 0.5) == ['blocks3.0.attn.qkv', 'blocks4.0.attn.qkv']
    assert float(backbone.blocks4[0].attn.qkv.weight.std()) == pytest.approx(0.5, rel=0.1)
    with pytest.raises(ValueError, match='qkv-init-std'):
        probe.reinit_qkv(nn.Sequential(nn.Conv3d(3, 4, 1)), 0.5)


def test_lr_multipliers_scale_the_named_parameters_learning_rate():
    from mmengine.optim import build_optim_wrapper
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
    base = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.05), paramwise_cfg=dict(custom_keys={'.rpb': dict(decay_mult=0.)}))
    cfg = probe.lr_multipliers(base, ['1.=0.1'])
    assert cfg['paramwise_cfg']['custom_keys'] == {'.rpb': dict(decay_mult=0.), '1.': dict(lr_mult=0.1)}
    wrapper = build_optim_wrapper(model, dict(type='OptimWrapper', **cfg))
    lrs = sorted(g['lr'] for g in wrapper.optimizer.param_groups)
    assert lrs == pytest.approx([1e-4, 1e-4, 1e-3, 1e-3])
    for bad in ('blocks3', '=0.1', 'blocks3=x'):
        with pytest.raises(ValueError, match='PREFIX=MULT'):
            probe.lr_multipliers(base, [bad])


def test_attention_entropy_of_a_network_without_attention_is_empty_and_runs_nothing():
    calls = []
    body = nn.Conv3d(3, 4, 1)
    body.register_forward_hook(lambda *_: calls.append(1))
    assert probe.attention_entropy(Pooled(body), clips()) == {}
    assert calls == []


def test_block_norms_become_per_channel_batch_norms_and_name_a_miss():
    torch.manual_seed(0)
    backbone = _tiny_uniformer()
    replaced = probe.replace_block_norms(backbone)
    assert 'blocks3.0.norm1' in replaced and 'blocks4.0.norm2' in replaced
    assert all(isinstance(m, probe.TokenBatchNorm) for m in
               (backbone.blocks3[0].norm1, backbone.blocks3[0].norm2, backbone.blocks4[0].norm1))
    # Each channel normalised over the batch and the tokens (training mode), not each token over its channels.
    norm = backbone.blocks3[0].norm1.train()
    tokens = torch.randn(2, 10, norm.num_features) * 3 + 1
    mean, var = tokens.mean((0, 1)), tokens.var((0, 1), unbiased=False)
    assert torch.allclose(norm(tokens), (tokens - mean) / (var + norm.eps).sqrt(), atol=1e-5)
    backbone(torch.randn(2, 3, 4, 32, 32))  # still runs
    with pytest.raises(ValueError, match='block-norm'):
        probe.replace_block_norms(nn.Sequential(nn.Conv3d(3, 4, 1)))


def test_fixed_query_key_leaves_queries_and_keys_and_trains_the_values():
    torch.manual_seed(0)
    backbone = _tiny_uniformer()
    assert probe.fix_query_key(backbone) == ['blocks3.0.attn.qkv', 'blocks4.0.attn.qkv']
    qkv = backbone.blocks3[0].attn.qkv
    before = qkv.weight.detach().clone()
    optimizer = torch.optim.SGD(backbone.parameters(), lr=0.1)
    backbone(torch.randn(2, 3, 4, 32, 32)).square().mean().backward()
    optimizer.step()
    rows = qkv.out_features // 3
    assert torch.equal(qkv.weight[:2 * rows], before[:2 * rows])  # queries and keys unchanged
    assert not torch.equal(qkv.weight[2 * rows:], before[2 * rows:])  # values trained
    with pytest.raises(ValueError, match='fixed-qk'):
        probe.fix_query_key(nn.Sequential(nn.Conv3d(3, 4, 1)))


def test_centred_values_make_a_uniform_attention_add_nothing():
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    attn = backbone.blocks3[0].attn
    tokens = torch.randn(2, 10, attn.qkv.in_features)
    assert probe.centre_values(backbone) == ['blocks3.0.attn.qkv', 'blocks4.0.attn.qkv']
    rows = attn.qkv.out_features // 3
    with torch.no_grad():
        attn.qkv.weight[:2 * rows] = 0  # q = k = 0 (no bias): uniform attention, the mean of the values
        assert torch.allclose(attn(tokens), attn.proj.bias.expand(2, 10, -1), atol=1e-6)
        values = attn.qkv(tokens)[..., 2 * rows:]
        assert torch.allclose(values.mean(1), torch.zeros(2, rows), atol=1e-6)
    with pytest.raises(ValueError, match='centred-values'):
        probe.centre_values(nn.Sequential(nn.Conv3d(3, 4, 1)))


def test_max_pooling_lets_a_small_actor_set_the_pooled_feature():
    from mmaction.models.heads import I3DHead
    head = I3DHead(num_classes=3, in_channels=2)
    probe.set_max_pooling(head)
    features = torch.zeros(1, 2, 4, 8, 8)
    features[0, 0, 1, 2, 3] = 5.0  # one token of 256 carries channel 0
    assert torch.equal(head.avg_pool(features).flatten(), torch.tensor([5.0, 0.0]))
    with pytest.raises(ValueError, match='--pool max: the head'):
        probe.set_max_pooling(head)  # already max pooling: not an I3DHead average pool


def test_layer_scale_scales_every_branch_and_starts_the_blocks_near_the_identity():
    torch.manual_seed(0)
    backbone = _tiny_uniformer().eval()
    x = torch.randn(1, 3, 4, 32, 32)
    block_in = {}
    backbone.blocks3[0].register_forward_pre_hook(lambda m, a: block_in.__setitem__('blocks3', a[0]))
    names = probe.add_layer_scale(backbone, 0.0)
    assert names[:2] == ['blocks1.0.conv2', 'blocks1.0.mlp'] and 'blocks4.0.attn' in names and len(names) % 2 == 0
    with torch.no_grad():
        backbone(x)
        block, x3 = backbone.blocks3[0], block_in['blocks3']
        # scale 0: an attention block adds only its position convolution
        assert torch.allclose(block(x3), x3 + block.pos_embed(x3))
    assert backbone.blocks4[0].attn.gamma.requires_grad and backbone.blocks4[0].attn.gamma.shape == (
        backbone.blocks4[0].norm1.normalized_shape[0], )
    with pytest.raises(ValueError, match='--layer-scale'):
        probe.add_layer_scale(nn.Sequential(nn.Conv3d(3, 4, 1)), 0.1)


class Scale(nn.Module):
    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return x * self.factor


def test_block_stats_measure_each_blocks_update_and_gradient_gain():
    backbone = nn.Module()
    backbone.patch_embed1 = nn.Conv3d(3, 4, 1)
    backbone.blocks1 = nn.ModuleList([nn.Identity(), Scale(2.0), Scale(0.25)])
    stats = probe.BlockStats(backbone)
    x = torch.randn(2, 3, 2, 4, 4, requires_grad=True)
    y = backbone.patch_embed1(x)
    for block in backbone.blocks1:
        y = block(y)
    y.sum().backward()
    values = stats.values
    assert values['update/blocks1.0'] == pytest.approx(0.0) and values['gain/blocks1.0'] == pytest.approx(1.0)
    assert values['update/blocks1.1'] == pytest.approx(1.0) and values['gain/blocks1.1'] == pytest.approx(2.0)
    assert values['update/blocks1.2'] == pytest.approx(0.75) and values['gain/blocks1.2'] == pytest.approx(0.25)
    assert 'update/patch_embed1' not in values and values['gain/patch_embed1'] > 0
    stats.active = False  # passes between logged steps leave the values as they are
    backbone.blocks1[1].factor = 3.0  # would record an update of 2
    backbone.blocks1[1](torch.ones(1, 4, 2, 4, 4))
    assert stats.values['update/blocks1.1'] == pytest.approx(1.0) and len(stats.values) == len(values)
    with pytest.raises(ValueError, match='--block-stats'):
        probe.BlockStats(nn.Sequential(nn.Conv3d(3, 4, 1)))


def test_output_spreads_separate_the_backbone_features_from_the_class_scores():
    """A head that ignores its input (zero weights, a bias) gives the same scores for every clip: spread 0, while
    the backbone's features still differ between clips. ``mode='tensor'`` alone returns the features."""
    from mmengine.registry import init_default_scope
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    model = MODELS.build(dict(
        type='Recognizer3D',
        backbone=dict(type='ResNet3d', depth=18, pretrained=None, pretrained2d=False, base_channels=8,
                      num_stages=2, out_indices=(1, ), spatial_strides=(1, 2), temporal_strides=(1, 1),
                      dilations=(1, 1), inflate=(1, 1)),
        cls_head=dict(type='I3DHead', num_classes=3, in_channels=16)))
    torch.manual_seed(0)
    model.init_weights()
    model.eval()
    with torch.no_grad():
        model.cls_head.fc_cls.weight.zero_()
        model.cls_head.fc_cls.bias.copy_(torch.tensor([1., 2., 3.]))
    spreads = probe.output_spreads(model, torch.randn(4, 1, 3, 4, 32, 32))
    assert spreads['spread/logits'] == pytest.approx(0.0, abs=1e-6)
    assert spreads['spread/features'] > 0.1
    with torch.no_grad():
        model.cls_head.fc_cls.weight.normal_()
    assert probe.output_spreads(model, torch.randn(4, 1, 3, 4, 32, 32))['spread/logits'] > 0.01


def test_first_tensor_reads_the_pooled_output_of_tuple_backbones():
    pooled, tokens = torch.ones(2, 4), torch.zeros(2, 8, 25, 4)
    assert probe._first_tensor((pooled, tokens)) is pooled
    assert probe._first_tensor([[pooled], tokens]) is pooled
    assert probe._first_tensor(tokens) is tokens


class PooledAndTokens(nn.Module):
    """A backbone returning ``(pooled (N, C), tokens (N, T, C))``, as UniFormerV2Tokens and CLIPViT do."""

    def forward(self, x):
        tokens = TemporalDifference()(x).mean((3, 4)).transpose(1, 2)  # (N, T - 1, C)
        return tokens.mean(1), tokens


def test_reversal_sensitivity_reads_the_pooled_item_of_a_tuple_backbone():
    value = probe.reversal_sensitivity(Pooled(PooledAndTokens()), clips())
    # The pooled item is the direction detector's output averaged over space and time: the value of the
    # channel-first detector itself.
    assert value == pytest.approx(probe.reversal_sensitivity(Pooled(TemporalDifference()), clips()), rel=1e-5)
    assert value > 0.1


def test_reinit_adapters_makes_the_st_adapters_mix_frames():
    from mmaction_ext.models.layers import STAdapter
    body = nn.Module()
    body.adapters = nn.ModuleList([STAdapter(16, 8), STAdapter(16, 8)])
    tokens = torch.randn(2 * 4, 5, 16)  # 2 clips of 4 frames, a class token and 4 patch tokens each
    assert torch.equal(body.adapters[0](tokens, num_frames=4), tokens)  # zero-initialised: the identity
    torch.manual_seed(0)
    names = probe.reinit_adapters(body, 0.5)
    assert names == ['adapters.0', 'adapters.1']
    weight = body.adapters[0].conv.weight
    assert weight.shape == (8, 1, 3, 1, 1) and abs(float(weight.std()) - 0.5) < 0.2
    reversed_frames = tokens.reshape(2, 4, 5, 16).flip(1).reshape(8, 5, 16)
    out = body.adapters[0](tokens, num_frames=4).reshape(2, 4, 5, 16)
    out_reversed = body.adapters[0](reversed_frames, num_frames=4).reshape(2, 4, 5, 16).flip(1)
    assert not torch.allclose(out[:, :, 1:], out_reversed[:, :, 1:])  # a frame's output now depends on its order
    with pytest.raises(ValueError, match='--adapter-init-std: the backbone has no ST-Adapter'):
        probe.reinit_adapters(nn.Linear(2, 2), 0.5)


class ClipStyle(nn.Module):
    """The embedding of a CLIP-style encoder: patch convolution, then a per-token LayerNorm."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 4, 4)
        self.ln_pre = nn.LayerNorm(8)

    def forward(self, x):
        assert self.conv1.weight.dtype == x.dtype  # read as CLIPViT.embed reads it
        return self.ln_pre(self.conv1(x).flatten(2).transpose(1, 2))


def test_relu_bn_stem_of_a_clip_style_backbone_rectifies_and_drops_the_token_layernorm():
    body = nn.Module()
    body.visual = ClipStyle()
    conv = body.visual.conv1
    probe.replace_stem(body, 'relu_bn')
    assert isinstance(body.visual.ln_pre, nn.Identity) and body.visual.conv1.weight is conv.weight
    x = torch.randn(4, 3, 8, 8)
    out = body.visual(x)
    # By hand: the convolution's output normalised per channel over batch and positions, then rectified.
    y = conv(x)
    expected = torch.relu((y - y.mean((0, 2, 3), keepdim=True)) / (y.var((0, 2, 3), unbiased=False, keepdim=True)
                                                                      + 1e-5).sqrt())
    torch.testing.assert_close(out, expected.flatten(2).transpose(1, 2))
    with pytest.raises(ValueError, match='--stem conv: a CLIP-style backbone'):
        other = nn.Module()
        other.visual = ClipStyle()
        probe.replace_stem(other, 'conv')
