"""tools/convert/csa_official.py on generated files in the layout of CSA's released checkpoints (ViT-B and
ircsn backbones): every official tensor lands in the model, shapes and routing checked, mismatches refused."""
import os.path as osp

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from helpers import run_tool
from helpers.csa_official import csn_state_dict, transformer_state_dict, vit_state_dict

init_default_scope('mmaction')
D, FFN, HEADS, LEVELS, POINTS, CLASSES, QUERIES, FRAMES = 32, 64, 4, 4, 2, 5, 3, 4


def _config(tmp_path, backbone, neck, name):
    model = dict(type='CSADetector', num_classes=CLASSES, num_queries=QUERIES, num_frames=FRAMES, embed_dims=D,
                 backbone=backbone, neck=neck,
                 encoder=dict(num_layers=1, layer_cfg=dict(self_attn_cfg=dict(num_heads=HEADS, num_points=POINTS,
                                                                               offset_normalizer='official'),
                                                           ffn_cfg=dict(feedforward_channels=FFN))),
                 decoder=dict(num_layers=2, num_heads=HEADS, feedforward_channels=FFN))
    path = str(tmp_path / f'{name}.py')
    Config(dict(model=model, custom_imports=dict(imports=['mmaction_ext']))).dump(path)
    return path


def _official(tmp_path, trunk):
    gen = torch.Generator().manual_seed(0)
    sd = transformer_state_dict(D, FFN, HEADS, LEVELS, POINTS, 1, 2, CLASSES, QUERIES * FRAMES, gen)
    sd = type(sd)((k, v * 0.05) for k, v in sd.items())  # small weights: the forward below stays finite
    sd.update(trunk)
    path = str(tmp_path / 'official.pth')
    torch.save(dict(model={'module.' + k: v for k, v in sd.items()}, epoch=11), path)
    return path, sd


def _convert(config, src, dst, *extra):
    return run_tool(['tools/convert/csa_official.py', config, src, dst, *extra])


def test_vit_release_converts_and_loads(tmp_path):
    vit = dict(type='VisionTransformer', img_size=64, patch_size=16, embed_dims=32, depth=1, num_heads=2,
               num_frames=FRAMES, use_mean_pooling=False, return_feat_map=True)
    config = _config(tmp_path, vit, dict(type='SimplePyramid3D', in_channels=32, out_channels=D), 'vit')
    trunk = vit_state_dict(32, 1, D, torch.Generator().manual_seed(1))
    src, official = _official(tmp_path, type(trunk)((k, v * 0.05) for k, v in trunk.items()))
    dst = str(tmp_path / 'converted.pth')
    result = _convert(config, src, dst)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'missing keys: 0' in result.stdout and 'unmapped official keys: 0' in result.stdout
    model = MODELS.build(Config.fromfile(config).model)
    state = torch.load(dst, weights_only=True)['state_dict']
    model.load_state_dict(state, strict=True)  # VideoMAE's fixed sinusoid table is filled in by the tool
    # routing of renamed and reshaped tensors
    pairs = {
        'transformer.decoder.cls_layers.1.k_proj.weight': 'decoder.cls_layers.1.k_proj.weight',
        'transformer.decoder.layers.1.norm3.weight': 'decoder.layers.1.norms.2.weight',
        'transformer.decoder.layers.0.ca_qpos_sine_proj.weight': 'decoder.layers.0.cross_attn.qpos_sine_proj.weight',
        'transformer.decoder.layers.0.norm_.bias': 'decoder.layers.0.context_norm.bias',
        'transformer.decoder.cls_layers.0.conv_blocks.0.conv2.weight': 'decoder.cls_layers.0.conv_block.fc1.weight',
        'transformer.decoder.cls_layers.0.cls_norm_.weight': 'decoder.cls_layers.0.ffn_norm.weight',
        'transformer.encoder.layers.0.linear2.weight': 'encoder.layers.0.ffn.layers.1.weight',
        'transformer.decoder.norm.weight': 'decoder.post_norm.weight',
        'transformer.decoder.cls_norm2.weight': 'decoder.class_norm.weight',
        'bbox_embed.layers.2.weight': 'decoder.bbox_head.layers.2.weight',
        'refpoint_embed.weight': 'anchors.weight',
        'class_embed_b.weight': 'actor_head.weight',
        'backbone.0.lateral_convs.0.3.weight': 'neck.levels.0.3.weight',
        'backbone.0.body.blocks.0.mlp.fc1.weight': 'backbone.blocks.0.mlp.layers.0.0.weight',
        'backbone.0.body.patch_embed.proj.weight': 'backbone.patch_embed.projection.weight',
    }
    model_state = model.state_dict()
    for theirs, ours in pairs.items():
        assert torch.equal(official[theirs].reshape(model_state[ours].shape), model_state[ours]), ours
    model.eval()
    out = model(torch.randn(1, 3, FRAMES, 64, 64))
    assert torch.isfinite(out['class_logits']).all()


def test_csn_release_converts_with_affine_norms(tmp_path):
    csn = dict(type='ResNet3dCSN', depth=50, pretrained=None, pretrained2d=False, base_channels=8, bottleneck_mode='ir',
               out_indices=(0, 1, 2, 3))
    neck = dict(type='MultiLevelProjection3D', in_channels=(64, 128, 256), in_indices=(1, 2, 3), out_channels=D,
                num_groups=8)
    config = _config(tmp_path, csn, neck, 'csn')
    src, official = _official(tmp_path, csn_state_dict((3, 4, 6, 3), D, torch.Generator().manual_seed(2), base=8))
    dst = str(tmp_path / 'converted.pth')
    result = _convert(config, src, dst)
    assert result.returncode == 0, result.stdout[-3000:]
    model = MODELS.build(Config.fromfile(config).model)
    model.load_state_dict(torch.load(dst, weights_only=True)['state_dict'], strict=True)
    model.eval()
    # the stem is the code's conv + Affine (w * x + b): reproduced by the converted BatchNorm
    x = torch.randn(1, 3, FRAMES, 32, 32)
    conv = model.backbone.conv1.conv
    expected = F.conv3d(x, official['backbone.0.body.conv1.weight'], stride=conv.stride, padding=conv.padding)
    expected = expected * official['backbone.0.body.bn1.weight'][None] + official['backbone.0.body.bn1.bias'][None]
    torch.testing.assert_close(model.backbone.conv1.bn(conv(x)), expected, atol=1e-4, rtol=1e-4)
    assert torch.equal(model.state_dict()['neck.extra.0.0.weight'], official['input_proj.3.0.weight'])
    assert torch.equal(model.state_dict()['backbone.layer2.0.conv2.0.conv.weight'],
                       official['backbone.0.body.layer2.0.conv3.weight'])


def test_mismatched_config_is_refused(tmp_path):
    vit = dict(type='VisionTransformer', img_size=64, patch_size=16, embed_dims=32, depth=1, num_heads=2,
               num_frames=FRAMES, use_mean_pooling=False, return_feat_map=True)
    config = _config(tmp_path, vit, dict(type='SimplePyramid3D', in_channels=32, out_channels=D), 'vit')
    src, _ = _official(tmp_path, vit_state_dict(32, 2, D, torch.Generator().manual_seed(1)))  # 2 blocks, config has 1
    dst = str(tmp_path / 'converted.pth')
    result = _convert(config, src, dst)
    assert result.returncode == 1 and 'unexpected keys: ' in result.stdout and 'backbone.blocks.1' in result.stdout
    assert 'nothing written' in result.stdout and not osp.exists(dst)


def test_a_config_that_would_run_the_release_wrongly_is_refused(tmp_path):
    """The released weights divide the deformable offsets by (T, W, H): converting for a training config (offsets
    by (W, H, T)) stops and names the released-weights config to use; the released configs are accepted."""
    from helpers import REPO_ROOT, load_tool
    tool = load_tool('tools/convert/csa_official.py')
    from mmaction_ext.engine import load_config
    for name in ('csa_vit-b_k400-pre_8xb2-12e_16x4x1_ava22', 'csa_vit-b_k400-pre_8xb1-18e_32x1x1_ucf101-24',
                 'csa_vit-b_k400-pre_8xb1-350e_40x1x1_jhmdb51-21', 'csa_ircsn152_ig65m-k400-pre_8xb2-12e_32x2x1_ava22',
                 'csa_vit-b_k710-pre_8xb2-12e_16x4x1_ava22'):
        path = osp.join(REPO_ROOT, 'configs', 'csa', name + '.py')
        released = path.replace('-pre_', '-released_')
        try:
            tool.check_release_settings(load_config(path), path)
            raise AssertionError(f'{name} was accepted')
        except ValueError as error:
            assert released in str(error) and "offset_normalizer='official'" in str(error)
        tool.check_release_settings(load_config(released), released)  # no error
        model = load_config(released).model
        assert model.encoder.layer_cfg.self_attn_cfg.offset_normalizer == 'official'
    vit = dict(type='VisionTransformer', img_size=64, patch_size=16, embed_dims=32, depth=1, num_heads=2,
               num_frames=FRAMES, use_mean_pooling=False, return_feat_map=True)
    config = _config(tmp_path, vit, dict(type='SimplePyramid3D', in_channels=32, out_channels=D), 'vit')
    cfg = Config.fromfile(config)
    cfg.model.encoder.layer_cfg.self_attn_cfg.offset_normalizer = 'whT'
    cfg.dump(config)
    src, _ = _official(tmp_path, vit_state_dict(32, 1, D, torch.Generator().manual_seed(1)))
    result = _convert(config, src, str(tmp_path / 'converted.pth'))
    assert result.returncode == 1 and "set model.encoder.layer_cfg.self_attn_cfg.offset_normalizer='official'" \
        in result.stdout
