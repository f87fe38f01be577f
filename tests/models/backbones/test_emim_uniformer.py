"""UniFormerEMIM: presets, EMIM placement, stage-1 temporal stride, exact parameter counts against
MMAction2's UniFormer, its weights loading, and the official init of the new parameters."""
import re

import pytest
import torch

from mmaction_ext.models.backbones import EMIMBlock, UniFormerEMIM
from mmaction_ext.models.layers import EMIMAttention


def UniFormer(**kwargs):  # noqa: N802 - MMAction2's class, imported once mmaction_ext has patched mmaction
    from mmaction.models.backbones.uniformer import UniFormer as MMActionUniFormer
    return MMActionUniFormer(**kwargs)


def count(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('arch, depth, added', [('s', [3, 4, 8, 3], 136212), ('b', [5, 8, 20, 7], 317730)])
def test_parameters_added_to_uniformer_exactly(arch, depth, added):
    """Each EMIM block adds 22,408 + heads * 49 (K = 7): S has 4 stage-3 (5 heads) and 2 stage-4 (8 heads)
    EMIM blocks, B 10 and 4."""
    assert count(UniFormerEMIM(arch)) - count(UniFormer(depth=depth)) == added


@pytest.mark.parametrize('placement, stages, expected', [
    ('E-O', (3, 4), ['blocks3.0', 'blocks3.2', 'blocks3.4', 'blocks3.6', 'blocks4.0', 'blocks4.2']),
    ('O-E', (3, 4), ['blocks3.1', 'blocks3.3', 'blocks3.5', 'blocks3.7', 'blocks4.1']),
    ('E-E', (4, ), ['blocks4.0', 'blocks4.1', 'blocks4.2']),
    ('E-O', (3, ), ['blocks3.0', 'blocks3.2', 'blocks3.4', 'blocks3.6']),
    ('O-O', (3, 4), []),
])
def test_placement_patterns(placement, stages, expected):
    model = UniFormerEMIM('s', emim_stages=stages, placement=placement)
    assert model.emim_blocks() == expected
    assert all(isinstance(getattr(model, name.split('.')[0])[int(name.split('.')[1])], EMIMBlock) for name in expected)


def test_stage1_temporal_downsampling_is_removed_by_default():
    x = torch.randn(1, 3, 8, 224, 224)
    with torch.no_grad():
        assert UniFormerEMIM('s', emim_stages=(3, )).eval()(x).shape == (1, 512, 8, 7, 7)
        assert UniFormerEMIM('s', emim_stages=(3, ), temporal_downsample=True).eval()(x).shape == (1, 512, 4, 7, 7)


def test_uniformer_weights_load_and_only_emim_parameters_are_new():
    torch.manual_seed(0)
    uniformer = UniFormer(depth=[3, 4, 8, 3], pretrained2d=False)
    model = UniFormerEMIM('s')
    result = model.load_state_dict(uniformer.state_dict(), strict=False)
    assert not result.unexpected_keys
    new = {key.split('.attn.')[1] for key in result.missing_keys}
    assert new == {'rpb', 'motion_conv.0.weight', 'motion_conv.0.bias', 'motion_conv.2.weight', 'motion_conv.2.bias'}
    assert len(result.missing_keys) == 6 * 5
    torch.testing.assert_close(model.blocks3[0].attn.qkv.weight, uniformer.blocks3[0].attn.qkv.weight)


def test_baseline_placement_equals_mmaction_uniformer():
    """'O-O' with the temporal stride kept is MMAction2's UniFormer itself (same weights, same output)."""
    torch.manual_seed(0)
    uniformer = UniFormer(depth=[3, 4, 8, 3], pretrained2d=False).eval()
    model = UniFormerEMIM('s', placement='O-O', temporal_downsample=True).eval()
    model.load_state_dict(uniformer.state_dict())
    x = torch.randn(1, 3, 4, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), uniformer(x))


def test_init_weights_keeps_the_official_init_of_the_emim_parameters():
    """The backbone's init_cfg (TruncNormal on every Linear) runs first; the EMIM attention then restores
    its own init: motion MLP output layer zero, input layer Xavier, RPB trunc-normal."""
    model = UniFormerEMIM('s', emim_stages=(4, ))
    model.init_weights()
    attn = model.blocks4[0].attn
    assert (attn.motion_conv[2].weight == 0).all() and (attn.motion_conv[2].bias == 0).all()
    bound = (6 / (49 + 196))**0.5  # Xavier-uniform
    assert attn.motion_conv[0].weight.abs().max() <= bound and attn.motion_conv[0].weight.std() > 0.3 * bound
    assert abs(float(model.blocks4[1].attn.qkv.weight.detach().std()) - 0.02) < 0.002  # the backbone's TruncNormal


@pytest.mark.parametrize('kwargs, message', [
    (dict(arch='m'), "unknown arch 'm'"),
    (dict(placement='E-X'), "unknown placement 'E-X'"),
    (dict(emim_stages=(2, 3)), r'emim_stages \(2, 3\): only the attention stages 3 and 4'),
    (dict(depth=[1, 1, 1, 1]), 'arch=dict\\(depth=...\\)'),
    (dict(window_size=6), 'window_size must be odd'),
    (dict(patch_norm='GN'), "patch_norm must be 'LN' or 'BN', got 'GN'"),
    (dict(local_conv='sparse'), "local_conv must be 'depthwise' or 'dense', got 'sparse'"),
])
def test_bad_options_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        UniFormerEMIM(**kwargs)


def test_small_input_names_the_window_problem():
    """At 128 px stage 4 is 4x4: a 7x7 window does not fit, and the error says what to change."""
    x = torch.randn(1, 3, 4, 128, 128)
    with torch.no_grad():
        with pytest.raises(ValueError, match='window_size=7 is larger than the 4x4 feature map; use a smaller'):
            UniFormerEMIM('s')(x)
        assert UniFormerEMIM('s', emim_stages=(3, ))(x).shape == (1, 512, 4, 4, 4)


def gmacs(model, frames=16):
    """mmengine's counter (multiply-accumulates) at one 224x224 view: runs the model (traced)."""
    from mmengine.analysis import FlopAnalyzer
    with torch.no_grad():
        analyzer = FlopAnalyzer(model.eval(), (torch.randn(1, 3, frames, 224, 224), ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        return analyzer.total() / 1e9


def gmacs_meta(model, frames=16):
    """The same count from shapes alone (``count_gmacs_meta`` on the meta device), with the EMIM windows
    computed explicitly (K^2 keys per query, as mmengine's traced count sees them); norms are not counted."""
    from mmaction_ext.models.utils import count_gmacs_meta
    for module in model.modules():
        if isinstance(module, EMIMAttention):
            module.explicit_windows = True
    return count_gmacs_meta(model, (torch.randn(1, 3, frames, 224, 224), ))


@pytest.mark.parametrize('kwargs, frames, published', [
    (dict(placement='O-O'), 16, 110),  # UniFormer-S without the stage-1 temporal stride (Table 4)
    (dict(), 16, 85),  # EMIM-S, E-O (Tables 4 and 8)
    (dict(placement='O-E'), 16, 86),
    (dict(placement='E-E'), 16, 62),
    (dict(emim_stages=(3, ), window_size=3), 16, 84.7),  # Table 5: stage 3 only, K x K windows
    (dict(emim_stages=(3, ), window_size=5), 16, 85.2),
    (dict(emim_stages=(3, ), window_size=7), 16, 86.2),
    (dict(emim_stages=(3, ), window_size=9), 16, 88.0),
    (dict(emim_stages=(3, ), window_size=11), 16, 91.0),
    (dict(arch='b'), 16, 198),  # EMIM-B (Table 1)
    (dict(arch='b'), 32, 526),
])
def test_gmacs_match_the_published_numbers(kwargs, frames, published):
    """Within 2% of the paper's GFLOPs per view; the EMIM windows count K^2 keys (not the padded GEMM)."""
    assert gmacs_meta(UniFormerEMIM(**kwargs), frames) == pytest.approx(published, rel=0.02)


def test_shape_count_equals_mmengine_counter():
    """The shape-only count above is mmengine's traced count less the norms (0.2% here): EMIM-S and MMAction2's
    UniFormer-B at 32 frames (its published 259 GFLOPs)."""
    ours = gmacs(UniFormerEMIM(), 16)
    assert ours == pytest.approx(85.34, abs=0.01)
    assert gmacs_meta(UniFormerEMIM(), 16) == pytest.approx(ours, rel=0.005)
    assert gmacs_meta(UniFormer(depth=[5, 8, 20, 7]), 32) == pytest.approx(259, rel=0.02)


def test_loads_an_mmaction_uniformer_recognizer_checkpoint(tmp_path, caplog):
    """A Runner checkpoint of MMAction2's UniFormer recognizer (meta, state_dict with backbone. / cls_head.
    prefixes): every UniFormer tensor lands, the head is dropped, the EMIM parameters are named as new."""
    torch.manual_seed(0)
    uniformer = UniFormer(depth=[3, 4, 8, 3], pretrained2d=False)
    state = {f'backbone.{k}': v for k, v in uniformer.state_dict().items()}
    state.update({'cls_head.fc_cls.weight': torch.zeros(400, 512), 'cls_head.fc_cls.bias': torch.zeros(400)})
    path = tmp_path / 'uniformer_s.pth'
    torch.save(dict(meta=dict(epoch=3, seed=0), state_dict=state), path)
    model = UniFormerEMIM('s', pretrained=str(path))
    model.init_weights()
    for key, value in uniformer.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value, msg=key)
    assert (model.blocks3[0].attn.motion_conv[2].weight == 0).all()  # new: the official init
    missing, unexpected = model.load_pretrained(str(path))
    assert len(missing) == 30 and all('.attn.rpb' in k or '.attn.motion_conv.' in k for k in missing)
    assert unexpected == []


def test_inflates_an_imagenet_uniformer(tmp_path):
    """ImageNet UniFormer weights are 2D (conv kernels n x n, a BatchNorm2d at the end, a classifier
    head): the convolutions are inflated along time (EMIM's official code: repeated and divided by the kernel's
    length; MMAction2's: the centre frame), everything else loads as is."""
    torch.manual_seed(0)
    video = UniFormer(depth=[3, 4, 8, 3], pretrained2d=False).state_dict()
    image = {k: (v[:, :, v.shape[2] // 2] if v.dim() == 5 else v) for k, v in video.items()}
    image.update({'head.weight': torch.zeros(1000, 512), 'head.bias': torch.zeros(1000)})
    path = tmp_path / 'uniformer_small_in1k.pth'
    torch.save(image, path)
    model = UniFormerEMIM('s')
    missing, unexpected = model.load_pretrained(str(path))
    stem = model.patch_embed1.proj.weight  # (64, 3, 3, 4, 4): the 2D kernel / 3 in each of the 3 frames
    for t in range(3):
        torch.testing.assert_close(stem[:, :, t], image['patch_embed1.proj.weight'] / 3)
    torch.testing.assert_close(model.blocks3[1].attn.qkv.weight, image['blocks3.1.attn.qkv.weight'])
    assert unexpected == [] and len(missing) == 30
    centre = UniFormerEMIM('s', inflate='center')
    centre.load_pretrained(str(path))
    stem = centre.patch_embed1.proj.weight  # the 2D kernel in the middle, zeros around it
    torch.testing.assert_close(stem[:, :, 1], image['patch_embed1.proj.weight'])
    assert (stem[:, :, 0] == 0).all() and (stem[:, :, 2] == 0).all()
    with pytest.raises(ValueError, match="inflate must be 'average' or 'center'"):
        UniFormerEMIM('s', inflate='middle')


def test_loads_the_official_slowfast_checkpoint(tmp_path):
    """EMIM's official code saves {epoch, model_state, optimizer_state, scaler, cfg} with UniFormer's names, the
    EMIM parameters and the classifier as head.*: the backbone loads everything but the head."""
    torch.manual_seed(0)
    model = UniFormerEMIM('s')
    official = {k: torch.randn_like(v) if v.is_floating_point() else v for k, v in model.state_dict().items()}
    official.update({'head.weight': torch.zeros(174, 512), 'head.bias': torch.zeros(174)})
    path = tmp_path / 'checkpoint_epoch_00060.pyth'
    torch.save(dict(epoch=59, model_state=official, optimizer_state={}, scaler={'scale': 65536.0},
                    cfg='TRAIN:\n  BATCH_SIZE: 32\n'), path)
    fresh = UniFormerEMIM('s')
    missing, unexpected = fresh.load_pretrained(str(path))
    assert missing == [] and unexpected == []
    torch.testing.assert_close(fresh.blocks3[0].attn.rpb, official['blocks3.0.attn.rpb'])
    torch.save(dict(epoch=59, optimizer_state={}), tmp_path / 'no_weights.pyth')
    with pytest.raises(Exception, match='model_state'):
        UniFormerEMIM('s').load_pretrained(str(tmp_path / 'no_weights.pyth'))


def test_checkpoint_of_another_width_is_a_named_error(tmp_path):
    other = UniFormer(depth=[3, 4, 8, 3], embed_dim=[64, 128, 256, 512], pretrained2d=False)
    path = tmp_path / 'narrow.pth'
    torch.save(other.state_dict(), path)
    with pytest.raises(ValueError, match=r'narrow.pth: patch_embed3.norm.weight has shape \(256,\), UniFormerEMIM '
                       r'expects \(320,\): a checkpoint of another arch or width'):
        UniFormerEMIM('s').load_pretrained(str(path))


def test_mmaction_gradcam_works_on_an_emim_block():
    """MMAction2's GradCAM on the tiny demo recognizer, targeting an EMIM block: a heat map per input frame,
    normalised to [0, 1], blended over the clip."""
    from mmaction.structures import ActionDataSample
    from mmaction.utils import GradCAM
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from helpers import EMIM_DEMO_CONFIG
    init_default_scope('mmaction')
    from mmaction.registry import MODELS
    cfg = Config.fromfile(EMIM_DEMO_CONFIG)
    cfg.model.cls_head.num_classes = 4
    model = MODELS.build(cfg.model)
    model.init_weights()
    torch.manual_seed(0)
    inputs = [torch.randint(0, 255, (1, 3, 8, 80, 80), dtype=torch.uint8)]
    data = dict(inputs=inputs, data_samples=[ActionDataSample().set_gt_label(2)])
    gradcam = GradCAM(model, 'backbone/blocks3/0')
    blended, preds = gradcam(data, use_labels=True)
    assert blended.shape == (1, 8, 80, 80, 3) and preds.shape == (1, 4)
    localization, _ = gradcam._calculate_localization_map(data, use_labels=True)
    assert localization.shape == (1, 8, 80, 80) and localization.min() >= 0 and localization.max() <= 1
    assert localization.max() > 0.99  # normalised, and gradients reached the EMIM block


SMALL_DATA_OPTIONS = dict(patch_norm='BN', stem_act_cfg=dict(type='ReLU'), overlap_patch_embed=True, local_conv='dense',
                          stream_act_cfg=dict(type='ReLU'), final_norm=False)
TINY = dict(arch=dict(depth=[2, 2, 2, 2]), embed_dim=[16, 32, 64, 128], head_dim=16, emim_stages=(3, ), window_size=5)


def test_small_data_options_build_the_network_the_learning_probe_measured():
    """The five options give the network of docs/demo_learning.md item 15, which the learning probe made by
    editing a built backbone (tools/analysis/learning_probe.py: --stem relu_bn --patch-norm bn --overlap-patches
    --dense-local --rectify-stream --rectify-attention --no-final-norm): same tensors in the same order, same
    output for the same weights, in training mode (batch statistics) and in eval mode."""
    from helpers import load_tool
    probe = load_tool('tools/analysis/learning_probe.py')
    torch.manual_seed(0)
    edited = UniFormerEMIM(**TINY)
    probe.replace_stem(edited, 'relu_bn')
    probe.replace_patch_norms(edited)
    probe.make_blocks_resnet_like(edited, dense=True, rectify=True)
    probe.rectify_attention_blocks(edited)
    probe.overlap_patch_embeddings(edited)
    edited.norm = torch.nn.Identity()
    ours = UniFormerEMIM(**TINY, **SMALL_DATA_OPTIONS)
    # The probe wrapped layers in nn.Sequential: its stem is proj.0 (convolution) + proj.1 (BatchNorm), and
    # every rectified block is blocksS.I.0.
    renames = [(r'^patch_embed1\.proj\.0\.', 'patch_embed1.proj.'), (r'^patch_embed1\.proj\.1\.', 'patch_embed1.norm.'),
               (r'^(blocks\d\.\d+)\.0\.', r'\1.')]
    theirs = {}
    for key, value in edited.state_dict().items():
        for pattern, replacement in renames:
            key = re.sub(pattern, replacement, key)
        theirs[key] = value
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == {k: tuple(v.shape) for k, v in theirs.items()}
    ours.load_state_dict(theirs)
    x = torch.randn(2, 3, 8, 80, 80)
    torch.testing.assert_close(ours(x), edited(x))  # training mode: every BatchNorm on the batch's statistics
    ours.eval(), edited.eval()
    with torch.no_grad():
        out = ours(x)
        torch.testing.assert_close(out, edited(x))
    # 80 px: the overlapping stride-2 embeddings keep the odd rows (20 -> 10 -> 5 -> 3); the stream is rectified.
    assert out.shape == (2, 128, 8, 3, 3) and (out >= 0).all()


def test_small_data_options_keep_the_parameter_names():
    """Only shapes change (3x3x3 patch embeddings 2-4 and dense local convolutions) and the patch norms gain
    BatchNorm statistics: a checkpoint's keys still name the same layers."""
    default = UniFormerEMIM(**TINY).state_dict()
    changed = UniFormerEMIM(**TINY, **SMALL_DATA_OPTIONS).state_dict()
    final_norm = {'norm.weight', 'norm.bias', 'norm.running_mean', 'norm.running_var', 'norm.num_batches_tracked'}
    assert set(default) - set(changed) == final_norm
    added = set(changed) - set(default)
    assert added == {f'patch_embed{stage}.norm.{name}' for stage in range(1, 5)
                     for name in ('running_mean', 'running_var', 'num_batches_tracked')}
    assert changed['blocks1.0.attn.weight'].shape == (16, 16, 3, 3, 3)  # was depthwise (16, 1, 5, 5, 5)
    assert default['blocks1.0.attn.weight'].shape == (16, 1, 5, 5, 5)
    assert changed['patch_embed2.proj.weight'].shape == (32, 16, 3, 3, 3)
