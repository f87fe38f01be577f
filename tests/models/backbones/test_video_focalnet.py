"""VideoFocalNet: shapes, the temporal branch, fidelity to the official model (params, FLOPs, keys),
checkpoint mapping, inflation and init_cfg."""
import pytest
import torch
from mmengine.analysis import get_model_complexity_info

from helpers.video_focalnet_official import official_state_dict, save_official_checkpoint
from mmaction_ext.models import SpatioTemporalFocalModulation, VideoFocalNet, VideoFocalNetHead
from mmaction_ext.models.backbones.video_focalnet import convert_video_focalnet, infer_video_focalnet_arch


def _tiny_arch():
    return dict(embed_dims=16, depths=(1, 1, 2, 1), focal_levels=(2, 2, 2, 2), focal_windows=(3, 3, 3, 3))


def test_backbone_shapes_for_every_stage():
    model = VideoFocalNet(_tiny_arch(), num_frames=4, out_indices=(0, 1, 2, 3)).eval()
    outs = model(torch.randn(2, 3, 4, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(2, 16, 4, 16, 16), (2, 32, 4, 8, 8), (2, 64, 4, 4, 4),
                                              (2, 128, 4, 2, 2)]


def test_pooled_output_is_norm_then_spatial_then_temporal_mean():
    model = VideoFocalNet(_tiny_arch(), num_frames=4).eval()
    x = torch.randn(2, 3, 4, 64, 64)
    feature_map = model(x)
    model.pool = True
    pooled = model(x)
    assert pooled.shape == (2, 128)
    assert torch.allclose(pooled, feature_map.mean((3, 4)).mean(2), atol=1e-6)


def test_wrong_number_of_frames_is_a_clear_error():
    model = VideoFocalNet(_tiny_arch(), num_frames=8)
    with pytest.raises(ValueError, match=r'num_frames=8.*T=4'):
        model(torch.randn(1, 3, 4, 64, 64))
    with pytest.raises(ValueError, match=r'\(N, C, T, H, W\)'):
        model(torch.randn(1, 3, 64, 64))


def test_unknown_arch_is_named():
    with pytest.raises(KeyError, match='huge'):
        VideoFocalNet('huge')
    with pytest.raises(KeyError, match='focal_windows'):
        VideoFocalNet(dict(embed_dims=8, depths=(1, ), focal_levels=(2, )))


def test_frames_interact_only_through_the_temporal_branch():
    """Changing frame 0 changes frame 1's output with the temporal branch, and never without it."""
    x = torch.randn(1, 3, 4, 32, 32)
    y = x.clone()
    y[:, :, 0] += 1.0
    for temporal, should_change in ((True, True), (False, False)):
        torch.manual_seed(0)
        model = VideoFocalNet(_tiny_arch(), num_frames=4, temporal=temporal).eval()
        model.init_weights()
        changed = not torch.allclose(model(x)[:, :, 1], model(y)[:, :, 1], atol=1e-6)
        assert changed is should_change


def _copy_spatial(src, dst):
    missing, unexpected = dst.load_state_dict(
        {k: v for k, v in src.state_dict().items() if k in dst.state_dict()}, strict=False)
    assert not missing and not unexpected


def test_identity_temporal_modulator_reduces_to_the_image_focalnet_frame_by_frame():
    """h_temporal = 0 weights, 1 bias: the video network equals the image FocalNet on each frame."""
    torch.manual_seed(0)
    video = VideoFocalNet(_tiny_arch(), num_frames=4, drop_path_rate=0.0).eval()
    video.init_weights()
    image = VideoFocalNet(_tiny_arch(), temporal=False, drop_path_rate=0.0).eval()
    _copy_spatial(video, image)
    for module in video.modules():
        if isinstance(module, SpatioTemporalFocalModulation):
            torch.nn.init.zeros_(module.h_temporal.weight)
            torch.nn.init.ones_(module.h_temporal.bias)
    x = torch.randn(2, 3, 4, 64, 64)
    expected = image(x.transpose(1, 2).reshape(8, 3, 1, 64, 64))  # every frame as its own 1-frame clip
    expected = expected.view(2, 4, *expected.shape[1:]).squeeze(3).transpose(1, 2)
    assert torch.allclose(video(x), expected, atol=1e-5)
    # And the temporal branch really matters once it is not the identity.
    for module in video.modules():
        if isinstance(module, SpatioTemporalFocalModulation):
            torch.nn.init.normal_(module.h_temporal.weight, std=1.0)
    assert (video(x) - expected).abs().max() > 1e-3


PUBLISHED = {  # params (M) and GMACs per view at 8x224x224 with 400 classes: docs/video_focalnet.md
    'tiny': (49.55, 63.0),
    'small': (88.74, 124.3),
    'base': (157.39, 220.6),
}


class _Classifier(torch.nn.Module):

    def __init__(self, arch):
        super().__init__()
        self.backbone = VideoFocalNet(arch)
        self.head = VideoFocalNetHead(400, self.backbone.num_features)

    def forward(self, x):
        return self.head(self.backbone(x))


@pytest.mark.parametrize('arch', ['tiny', 'small', 'base'])
def test_params_and_flops_match_the_official_model(arch):
    model = _Classifier(arch).eval()
    params = sum(p.numel() for p in model.parameters() if p is not model.head.loss_cls) / 1e6
    expected_params, expected_gmacs = PUBLISHED[arch]
    assert params == pytest.approx(expected_params, rel=0.005)
    with torch.no_grad():
        info = get_model_complexity_info(model, inputs=(torch.randn(1, 3, 8, 224, 224), ), show_table=False,
                                         show_arch=False)
    assert info['flops'] / 1e9 == pytest.approx(expected_gmacs, rel=0.005)


def test_key_names_match_the_official_layout():
    sd = official_state_dict()
    ours = {'backbone.' + k for k in VideoFocalNet('tiny').state_dict()} | {
        'cls_head.' + k for k in VideoFocalNetHead(400, 768).state_dict()}
    assert len(sd) == 284
    assert ours == {('cls_head.fc_cls.' + k[5:]) if k.startswith('head.') else 'backbone.' + k for k in sd}


def test_imagenet_focalnet_inflation(tmp_path):
    """An image FocalNet-T (SRF) checkpoint: spatial weights 1:1, temporal layers keep their init."""
    image = official_state_dict(video=False, num_classes=1000, seed=5)
    path = str(tmp_path / 'focalnet_tiny_srf.pth')
    save_official_checkpoint(path, image, with_config=False)
    torch.manual_seed(0)
    backbone = VideoFocalNet('tiny', pretrained=path)
    torch.manual_seed(0)
    fresh = VideoFocalNet('tiny')  # conv layers keep their construction-time (PyTorch default) init
    torch.manual_seed(0)
    fresh.init_weights()
    torch.manual_seed(0)
    backbone.init_weights()
    state = backbone.state_dict()
    for key, value in image.items():
        if not key.startswith('head.'):
            assert torch.equal(state[key], value), key
    temporal = [k for k in state if 'temporal' in k]
    assert len(temporal) == 6 * 12  # 6 tensors per block, 12 blocks
    for key in temporal:
        assert torch.equal(state[key], fresh.state_dict()[key]), key
    missing, unexpected = backbone.load_pretrained(path)
    assert sorted(missing) == sorted(temporal) and unexpected == []


def test_init_cfg_pretrained_through_a_config(tmp_path):
    image = official_state_dict(video=False, num_classes=1000, seed=6)
    path = str(tmp_path / 'focalnet_tiny_srf.pth')
    save_official_checkpoint(path, image)
    from mmaction.registry import MODELS
    backbone = MODELS.build(dict(type='VideoFocalNet', arch='t', init_cfg=dict(type='Pretrained', checkpoint=path)))
    backbone.init_weights()
    assert torch.equal(backbone.patch_embed.proj.weight, image['patch_embed.proj.weight'])


def test_tubelet_stem_shapes_and_image_inflation(tmp_path):
    """tubelet_size=2: half the temporal tokens; an image stem repeated over time / 2 sees a static clip
    exactly as the 2D stem sees its frame."""
    image = official_state_dict(video=False, num_classes=1000, seed=7, embed_dims=16, depths=(1, 1, 2, 1))
    path = str(tmp_path / 'image.pth')
    save_official_checkpoint(path, image, with_config=False)
    tubelet = VideoFocalNet(_tiny_arch(), num_frames=8, tubelet_size=2, pretrained=path).eval()
    tubelet.init_weights()
    assert torch.allclose(tubelet.patch_embed.proj.weight.sum(2), image['patch_embed.proj.weight'])
    frame = torch.randn(1, 3, 1, 64, 64)
    static = frame.repeat(1, 1, 8, 1, 1)
    flat = VideoFocalNet(_tiny_arch(), num_frames=8).eval()
    flat.load_pretrained(path)
    assert torch.allclose(tubelet.patch_embed(static)[0], flat.patch_embed(frame[:, :, 0])[0], atol=1e-5)
    assert tubelet(static).shape == (1, 128, 4, 2, 2)
    with pytest.raises(ValueError, match='tubelet_size'):
        VideoFocalNet(_tiny_arch(), num_frames=6, tubelet_size=4)


def test_stem_activation_sits_between_conv_and_norm_and_adds_no_weights():
    plain = VideoFocalNet(_tiny_arch(), num_frames=4)
    relu = VideoFocalNet(_tiny_arch(), num_frames=4, stem_act_cfg=dict(type='ReLU'))
    assert relu.state_dict().keys() == plain.state_dict().keys()  # official checkpoints load either way
    frames = torch.randn(2, 3, 32, 32)
    stem = relu.patch_embed
    by_hand = torch.nn.functional.layer_norm(
        stem.proj(frames).clamp(min=0).permute(0, 2, 3, 1), (16, ), stem.norm.weight, stem.norm.bias)
    assert torch.allclose(stem(frames), by_hand, atol=1e-6)
    tubelet = VideoFocalNet(_tiny_arch(), num_frames=4, tubelet_size=2, stem_act_cfg=dict(type='ReLU'))
    clip = torch.randn(1, 3, 4, 32, 32)
    pre_norm = tubelet.patch_embed.proj(clip)
    assert (pre_norm < 0).any()
    assert torch.allclose(tubelet.patch_embed(clip),
                          tubelet.patch_embed.norm(pre_norm.clamp(min=0).permute(0, 2, 3, 4, 1).flatten(0, 1)))


def test_init_cfg_takes_effect():
    """Any mmengine init_cfg applies (the pattern every backbone follows); None is the official init."""
    backbone = VideoFocalNet(_tiny_arch(), num_frames=4, init_cfg=[
        dict(type='Constant', layer='Linear', val=0.5, bias=0.25), dict(type='Constant', layer='LayerNorm', val=3.0)])
    backbone.init_weights()
    linears = [m for m in backbone.modules() if isinstance(m, torch.nn.Linear)]
    norms = [m for m in backbone.modules() if isinstance(m, torch.nn.LayerNorm)]
    assert linears and all((m.weight == 0.5).all() and (m.bias == 0.25).all() for m in linears)
    assert norms and all((m.weight == 3.0).all() for m in norms)

    torch.manual_seed(0)
    backbone = VideoFocalNet(_tiny_arch(), num_frames=4, init_cfg=dict(type='TruncNormal', layer='Linear', std=5.0,
                                                                      a=-1.0, b=1.0))
    backbone.init_weights()
    weights = torch.cat([m.weight.flatten() for m in backbone.modules() if isinstance(m, torch.nn.Linear)])
    assert weights.abs().max() <= 1.0 and weights.std() > 0.5  # truncated at +-1, not the official std 0.02

    torch.manual_seed(0)
    official = VideoFocalNet(_tiny_arch(), num_frames=4)
    official.init_weights()
    weights = torch.cat([m.weight.flatten() for m in official.modules() if isinstance(m, torch.nn.Linear)])
    assert weights.std().item() == pytest.approx(0.02, rel=0.05) and abs(weights.mean().item()) < 1e-3
    assert all((m.bias == 0).all() for m in official.modules() if isinstance(m, torch.nn.Linear))


def test_pretrained_after_other_init_cfg_entries(tmp_path):
    """A Pretrained entry next to others: the others initialise what the checkpoint lacks."""
    image = official_state_dict(video=False, num_classes=1000, seed=8, embed_dims=16, depths=(1, 1, 2, 1))
    path = str(tmp_path / 'image.pth')
    save_official_checkpoint(path, image, with_config=False)
    backbone = VideoFocalNet(_tiny_arch(), num_frames=4, init_cfg=[
        dict(type='Constant', layer='Linear', val=0.5, bias=0.0), dict(type='Pretrained', checkpoint=path)])
    backbone.init_weights()
    assert torch.equal(backbone.layers[0].blocks[0].modulation.f.weight, image['layers.0.blocks.0.modulation.f.weight'])
    assert (backbone.layers[0].blocks[0].modulation.f_temporal.weight == 0.5).all()  # not in an image FocalNet
    with pytest.raises(ValueError, match='either pretrained or init_cfg'):
        VideoFocalNet(_tiny_arch(), pretrained=path, init_cfg=dict(type='Constant', layer='Linear', val=1.0))


def test_official_checkpoint_mapping():
    """Official keys -> backbone.* / cls_head.fc_cls.*, and the arch read back from the shapes alone."""
    official = official_state_dict(embed_dims=16, depths=(1, 1, 2, 1), num_classes=7, seed=2)
    converted, arch, num_classes = convert_video_focalnet({'module.' + k: v for k, v in official.items()})
    assert arch == dict(embed_dims=16, depths=(1, 1, 2, 1), focal_levels=(2, 2, 2, 2), focal_windows=(3, 3, 3, 3))
    assert num_classes == 7
    assert torch.equal(converted['cls_head.fc_cls.weight'], official['head.weight'])
    backbone = VideoFocalNet(arch)
    missing, unexpected = backbone.load_state_dict(
        {k[len('backbone.'):]: v for k, v in converted.items() if k.startswith('backbone.')}, strict=True)
    assert not missing and not unexpected
    with pytest.raises(KeyError, match='no patch_embed.proj.weight'):
        infer_video_focalnet_arch({'head.weight': official['head.weight']})
