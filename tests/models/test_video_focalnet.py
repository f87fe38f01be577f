"""Video-FocalNet: layer, backbone, head, official-checkpoint conversion and inflation, fidelity."""
import os.path as osp

import pytest
import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.runner import load_checkpoint

from conftest import REPO_ROOT, run_tool
from mmaction_ext.compat import UnsafeCheckpointError
from mmaction_ext.models import SpatioTemporalFocalModulation, VideoFocalNet, VideoFocalNetHead
from official_format import official_state_dict, save_official_checkpoint


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


def test_modulation_matches_a_first_principles_computation():
    """One modulation layer against a direct transcription of the paper/official equations."""
    torch.manual_seed(0)
    layer = SpatioTemporalFocalModulation(8, num_frames=3).eval()
    for p in layer.parameters():
        torch.nn.init.normal_(p, std=0.3)
    x = torch.randn(2 * 3, 5, 5, 8)
    gelu = torch.nn.functional.gelu
    # Spatial: q, ctx, gates from f; two depthwise levels; global context; h.
    q, ctx, gates = layer.f(x).permute(0, 3, 1, 2).split((8, 8, 3), 1)
    acc = 0
    for level in range(2):
        conv = layer.focal_layers[level][0]
        ctx = gelu(torch.nn.functional.conv2d(ctx, conv.weight, padding=conv.padding, groups=8))
        acc = acc + ctx * gates[:, level:level + 1]
    acc = acc + gelu(ctx.mean((2, 3), keepdim=True)) * gates[:, 2:]
    mod_s = torch.nn.functional.conv2d(acc, layer.h.weight, layer.h.bias)
    # Temporal, per position: sequences over the 3 frames of each of the 2 videos.
    seq = x.view(2, 3, 5, 5, 8).permute(0, 2, 3, 1, 4).reshape(50, 3, 8)
    ctx_t, gates_t = layer.f_temporal(seq).transpose(1, 2).split((8, 3), 1)
    acc_t = 0
    for level in range(2):
        conv = layer.focal_layers_temporal[level][0]
        ctx_t = gelu(torch.nn.functional.conv1d(ctx_t, conv.weight, padding=conv.padding))
        acc_t = acc_t + ctx_t * gates_t[:, level:level + 1]
    acc_t = acc_t + gelu(ctx_t.mean(2, keepdim=True)) * gates_t[:, 2:]
    mod_t = torch.nn.functional.conv1d(acc_t, layer.h_temporal.weight, layer.h_temporal.bias)  # (50, 8, 3)
    mod_t = mod_t.view(2, 5, 5, 8, 3).permute(0, 4, 3, 1, 2).reshape(6, 8, 5, 5)
    expected = layer.proj((q * mod_s * mod_t).permute(0, 2, 3, 1))
    assert torch.allclose(layer(x), expected, atol=1e-5)


def test_head_pools_map_or_vector_and_has_official_init():
    head = VideoFocalNetHead(10, 32)
    head.init_weights()
    assert head.dropout is None and torch.all(head.fc_cls.bias == 0)
    assert head.fc_cls.weight.std().item() == pytest.approx(0.02, rel=0.2)
    feature_map = torch.randn(2, 32, 4, 3, 3)
    assert torch.allclose(head(feature_map), head(feature_map.mean((2, 3, 4))), atol=1e-6)


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


def test_convert_official_checkpoint_without_yacs(tmp_path):
    src, dst = str(tmp_path / 'official.pth'), str(tmp_path / 'converted.pth')
    official = official_state_dict(seed=3)
    save_official_checkpoint(src, official)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, dst])
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'missing keys: 0' in result.stdout and 'unexpected keys: 0' in result.stdout
    assert 'depths=(2, 2, 6, 2)' in result.stdout and '400 classes' in result.stdout
    from mmaction.models import Recognizer3D
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model = Recognizer3D(backbone=dict(type='VideoFocalNet', arch='tiny'),
                         cls_head=dict(type='VideoFocalNetHead', num_classes=400, in_channels=768))
    checkpoint = load_checkpoint(model, dst, strict=True)
    assert checkpoint['meta']['official_config']['DATA']['NUM_FRAMES'] == 8
    assert checkpoint['meta']['epoch'] == 119
    assert torch.equal(model.backbone.layers[2].blocks[5].modulation.focal_layers_temporal[1][0].weight,
                       official['layers.2.blocks.5.modulation.focal_layers_temporal.1.0.weight'])
    assert torch.equal(model.cls_head.fc_cls.weight, official['head.weight'])


def test_converter_refuses_a_malicious_file(tmp_path):
    import os

    class Payload:

        def __reduce__(self):
            return os.system, (f'touch {tmp_path / "pwned"}', )

    src = str(tmp_path / 'evil.pth')
    torch.save({'model': official_state_dict(), 'config': Payload()}, src)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, str(tmp_path / 'out.pth')])
    assert result.returncode == 1 and 'UnsafeCheckpointError' in result.stdout and 'evil.pth' in result.stdout
    assert not (tmp_path / 'pwned').exists() and not (tmp_path / 'out.pth').exists()


def test_converter_reports_mismatched_shapes(tmp_path):
    official = official_state_dict()
    official['layers.0.blocks.0.modulation.h_temporal.weight'] = torch.zeros(96, 96, 3)
    src = str(tmp_path / 'odd.pth')
    save_official_checkpoint(src, official, with_config=False)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, str(tmp_path / 'out.pth')])
    assert result.returncode == 1 and 'h_temporal.weight: file (96, 96, 3) vs model (96, 96, 1)' in result.stdout


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


def _squares_on_a_torus(generator, n, frames=8, side=32):
    """Clips of a white square moving left (0) or right (1) on black, wrapping at the border: position is
    uniform in every frame, so only the change between frames tells the classes apart."""
    x, labels = torch.zeros(n, 3, frames, side, side), torch.randint(0, 2, (n, ), generator=generator)
    starts = torch.randint(0, side, (n, 2), generator=generator)
    for i in range(n):
        square = torch.zeros(side, side)
        square[:6, :6] = 1.0
        square = square.roll((int(starts[i, 1]), int(starts[i, 0])), (0, 1))
        step = 1 if labels[i] else -1
        for t in range(frames):
            x[i, :, t] = square.roll(step * t, 1)
    return x, labels


def _train_direction_classifier(temporal):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    # As in the demo config (docs/video_focalnet.md): two stages, so the final map (4x4) is pooled by a
    # translation-invariant mean, and a ReLU in the stem; the stem stays per frame here.
    arch = dict(embed_dims=16, depths=(2, 2), focal_levels=(2, 2), focal_windows=(3, 3))
    backbone = VideoFocalNet(arch, num_frames=8, temporal=temporal, drop_path_rate=0.0, out_indices=(1, ), pool=True,
                             stem_act_cfg=dict(type='ReLU'))
    backbone.init_weights()
    head = VideoFocalNetHead(2, backbone.num_features)
    head.init_weights()
    optimizer = torch.optim.AdamW([*backbone.parameters(), *head.parameters()], 1e-3)
    for _ in range(300):
        x, labels = _squares_on_a_torus(generator, 16)
        loss = torch.nn.functional.cross_entropy(head(backbone(x)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    x, labels = _squares_on_a_torus(torch.Generator().manual_seed(1), 200)
    with torch.no_grad():
        return (head(backbone(x)).argmax(1) == labels).float().mean().item()


def test_temporal_branch_learns_local_motion_that_single_frames_do_not_show():
    # Per-frame stem: frames meet only in the temporal modulation, so it alone must find the direction.
    video, image = _train_direction_classifier(True), _train_direction_classifier(False)
    assert video > 0.9, video
    assert image < 0.65, image


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
