"""Backbone weights of the CSA configs from local MMAction2 checkpoints (VideoMAE ViT-B, ircsn-152 recognizers:
``backbone.*`` + ``cls_head.*`` under ``state_dict``), as the configs load them (ViT: the backbone's ``init_cfg``
Pretrained with prefix ``backbone.``; CSN: the detector's ``init_cfg`` Pretrained), generated here in that format with small models."""
import torch
from mmaction.registry import MODELS
from mmengine.registry import init_default_scope

import mmaction_ext  # noqa: F401

init_default_scope('mmaction')


def _detector(backbone, neck, frames):
    return dict(type='CSADetector', num_classes=3, num_queries=2, num_frames=frames, embed_dims=32, backbone=backbone,
                neck=neck, encoder=dict(num_layers=1, layer_cfg=dict(self_attn_cfg=dict(num_heads=4, num_points=1),
                                                                      ffn_cfg=dict(feedforward_channels=32))),
                decoder=dict(num_layers=1, num_heads=4, feedforward_channels=32))


def _recognizer_checkpoint(path, backbone_cfg):
    backbone = MODELS.build(backbone_cfg)
    state = {f'backbone.{k}': v + 0.5 if v.is_floating_point() else v for k, v in backbone.state_dict().items()}
    state['cls_head.fc_cls.weight'] = torch.randn(400, 8)
    torch.save(dict(state_dict=state, meta=dict(mmaction_version='1.2.0')), path)
    return state


def test_videomae_weights_load_into_a_longer_clip_model(tmp_path):
    vit = dict(type='VisionTransformer', img_size=64, patch_size=16, embed_dims=32, depth=1, num_heads=2,
               use_mean_pooling=False, return_feat_map=True)
    path = str(tmp_path / 'videomae.pth')
    state = _recognizer_checkpoint(path, dict(vit, num_frames=4))  # pre-trained on 4 frames ...
    model = MODELS.build(_detector(dict(vit, num_frames=8, init_cfg=dict(type='Pretrained', checkpoint=path,
                                                                         prefix='backbone.')),
                                   dict(type='SimplePyramid3D', in_channels=32, out_channels=32), frames=8))
    model.init_weights()  # ... used on 8: the fixed sinusoid table keeps the model's size
    loaded = model.backbone.state_dict()
    assert torch.equal(loaded['blocks.0.attn.qkv.weight'], state['backbone.blocks.0.attn.qkv.weight'])
    assert torch.equal(loaded['norm.weight'], state['backbone.norm.weight'])
    assert loaded['pos_embed'].shape[1] == 4 * 4 * 4  # 4 temporal tokens x 4 x 4
    assert torch.isfinite(model(torch.randn(1, 3, 8, 64, 64))['boxes']).all()


def test_ircsn_weights_load(tmp_path):
    csn = dict(type='ResNet3dCSN', depth=50, pretrained=None, pretrained2d=False, base_channels=8, bottleneck_mode='ir',
               out_indices=(0, 1, 2, 3))
    path = str(tmp_path / 'ircsn.pth')
    state = _recognizer_checkpoint(path, csn)
    # MMAction2's ResNet3d family ignores a backbone init_cfg: the detector's Pretrained init_cfg loads backbone.*
    cfg = _detector(csn, dict(type='MultiLevelProjection3D', in_channels=(64, 128, 256), in_indices=(1, 2, 3),
                              out_channels=32, num_groups=8), frames=4)
    model = MODELS.build(dict(cfg, init_cfg=dict(type='Pretrained', checkpoint=path)))
    model.init_weights()
    loaded = model.backbone.state_dict()
    for key in ('conv1.conv.weight', 'layer3.2.conv2.0.conv.weight', 'layer4.0.downsample.bn.running_var'):
        assert torch.equal(loaded[key], state[f'backbone.{key}']), key
