"""UniFormerV2Tokens: MMAction2's UniFormerV2 output unchanged, the frame tokens, and local weights."""
import pytest
import torch

import mmaction_ext  # noqa: F401  (before mmaction.models: its compat fixes)
from mmaction.models.backbones import UniFormerV2  # noqa: E402
from mmaction_ext.models.backbones import UniFormerV2Tokens
from mmaction_ext.models.layers.clip_vision import build_clip, resize_positional_embedding

TINY = dict(arch='tiny', input_resolution=64, t_size=3)


def _tiny(**kwargs):
    torch.manual_seed(0)
    model = UniFormerV2Tokens(**dict(TINY, **kwargs))
    model.init_weights()
    return model.eval()


def test_video_feature_is_uniformerv2s_and_tokens_are_the_last_blocks():
    model = _tiny()
    plain = UniFormerV2(clip_pretrained=False, **{k: v for k, v in UniFormerV2Tokens.arch_settings['tiny'].items()},
                        t_size=3).eval()
    plain.load_state_dict(model.state_dict())
    recorded = []
    model.transformer.resblocks[-1].register_forward_hook(lambda m, i, o: recorded.append(o))
    x = torch.randn(2, 3, 3, 64, 64)
    with torch.no_grad():
        video, tokens = model(x)
        assert torch.allclose(video, plain(x), atol=1e-6)
    assert tokens.shape == (2, 3, 16, 64)
    last = recorded[0]  # (1 + HW, N T, C), frames of a clip consecutive
    assert torch.equal(tokens[1, 2], last[1:, 1 * 3 + 2])


def test_clip_weights_load_with_inflated_conv_and_resized_positions(tmp_path):
    torch.manual_seed(0)
    clip = build_clip('tiny')  # 32 px CLIP: a 2 x 2 grid, loaded into a 64 px model (4 x 4)
    path = str(tmp_path / 'clip.pth')
    torch.save(clip.state_dict(), path)
    model = UniFormerV2Tokens(pretrained=path, **TINY)
    missing, unexpected = model.load_pretrained(path)
    visual = clip.visual.state_dict()
    assert torch.equal(model.conv1.weight[:, :, 0], visual['conv1.weight'])  # centre frame of a 1-frame kernel
    expected = resize_positional_embedding(visual['positional_embedding'], (4, 4))
    assert torch.allclose(model.positional_embedding, expected)
    assert torch.equal(model.transformer.resblocks[1].attn.in_proj_weight,
                       visual['transformer.resblocks.1.attn.in_proj_weight'])
    # The global block starts fresh; CLIP's head (ln_post, proj) is not used by UniFormerV2.
    assert 'transformer.dec.0.attn.in_proj_weight' in missing and 'transformer.balance' in missing
    assert not any(key.startswith('transformer.resblocks') for key in missing)
    assert set(unexpected) == {'ln_post.weight', 'ln_post.bias', 'proj'}


def test_uniformerv2_checkpoint_loads_and_other_architectures_are_named(tmp_path):
    source = _tiny()
    path = str(tmp_path / 'uniformerv2.pth')
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in source.state_dict().items()},
                'meta': {'epoch': 3}}, path)
    target = UniFormerV2Tokens(pretrained=path, **TINY)
    target.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(target.state_dict()[key], value), key
    wider = UniFormerV2Tokens(arch='tiny', input_resolution=64, t_size=3, width=128, n_dim=128, pretrained=path)
    with pytest.raises(ValueError, match=r'uniformerv2.pth does not fit this UniFormerV2: \d+ shapes differ'):
        wider.init_weights()
    with pytest.raises(KeyError, match='unknown arch'):
        UniFormerV2Tokens(arch='H/14')
