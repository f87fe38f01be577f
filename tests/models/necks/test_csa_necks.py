"""CSA's backbone adapters: the ViT pyramid on MMAction2's VideoMAE ViT (non-square, non-divisible input),
the multi-level projection on CSN-style and Video-FocalNet outputs."""
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401
from mmaction_ext.models.necks import MultiLevelProjection3D, SimplePyramid3D

init_default_scope('mmaction')


def test_vit_pyramid_on_mmaction_vit_at_256x360():
    # 360 is not a multiple of 16: 22 patches; the pos embedding (built for 224 / 14x14) is interpolated
    vit = MODELS.build(dict(type='VisionTransformer', img_size=224, patch_size=16, embed_dims=32, depth=1, num_heads=2,
                            num_frames=4, return_feat_map=True))
    feat = vit(torch.randn(1, 3, 4, 256, 360))
    assert feat.shape == (1, 32, 2, 16, 22)
    levels = SimplePyramid3D(in_channels=32, out_channels=16)(feat)
    assert [tuple(level.shape) for level in levels] == [(1, 16, 2, 64, 88), (1, 16, 2, 32, 44), (1, 16, 2, 16, 22),
                                                        (1, 16, 2, 8, 11)]


def test_vit_pyramid_parameters_follow_vitdet():
    pyramid = SimplePyramid3D(in_channels=768, out_channels=256)
    # x4: two 2x2 transposed convs (768->384->192) + LN; every level: 1x1 (no bias) + LN + 3x3x3 (no bias)
    x4 = 768 * 384 * 4 + 384 + 2 * 384 + 384 * 192 * 4 + 192
    tail = lambda c: c * 256 + 2 * 256 + 256 * 256 * 27  # noqa: E731
    expected = x4 + tail(192) + (768 * 384 * 4 + 384) + tail(384) + tail(768) + tail(768)
    assert sum(p.numel() for p in pyramid.parameters()) == expected


def test_vit_pyramid_errors():
    with pytest.raises(ValueError, match='scale 3'):
        SimplePyramid3D(scales=(3, ))
    with pytest.raises(ValueError, match='return_feat_map=True'):
        SimplePyramid3D(in_channels=8, out_channels=8)(torch.randn(2, 8))


def test_multilevel_projection_csn_layout():
    neck = MultiLevelProjection3D(in_channels=(16, 32, 64), out_channels=32, in_indices=(1, 2, 3), num_groups=8)
    neck.init_weights()
    feats = [torch.randn(1, c, 4, s, s) for c, s in ((8, 32), (16, 16), (32, 8), (64, 4))]
    levels = neck(feats)
    assert [tuple(level.shape) for level in levels] == [(1, 32, 4, 16, 16), (1, 32, 4, 8, 8), (1, 32, 4, 4, 4),
                                                        (1, 32, 4, 2, 2)]
    with pytest.raises(ValueError, match='backbone output 1 has shape'):
        neck([feats[0], feats[0], feats[2], feats[3]])
    with pytest.raises(ValueError, match='set the backbone'):
        neck(feats[:2])


def test_multilevel_projection_plugs_video_focalnet_levels():
    backbone = MODELS.build(dict(type='VideoFocalNet', arch=dict(embed_dims=16, depths=(1, 1, 1, 1), focal_levels=(2, 2, 2, 2),
                                                                focal_windows=(3, 3, 3, 3)),
                                 num_frames=4, out_indices=(1, 2, 3)))
    feats = backbone(torch.randn(1, 3, 4, 64, 64))
    neck = MultiLevelProjection3D(in_channels=(32, 64, 128), out_channels=32, num_groups=8)
    levels = neck(feats)
    assert len(levels) == 4 and all(level.shape[1] == 32 for level in levels)
    assert [level.shape[-1] for level in levels] == [8, 4, 2, 1]
