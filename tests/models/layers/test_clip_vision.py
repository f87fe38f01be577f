"""The shared CLIP layer: open_clip parity, the extra-query attention, ST-Adapter and the weight loader."""
import pytest
import torch
import torch.nn.functional as F

import mmaction_ext  # noqa: F401
from mmaction_ext.models.backbones import CLIPViT
from mmaction_ext.models.layers.clip_vision import (STAdapter, attention_with_extra_queries, build_clip,
                                                    resize_positional_embedding, save_clip_file)


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    """A random tiny CLIP (vision width 64, 2 layers, 32 px) saved as OpenAI's state_dict and TorchScript."""
    torch.manual_seed(0)
    model = build_clip('tiny').eval()
    folder = tmp_path_factory.mktemp('clip')
    save_clip_file(model, str(folder / 'tiny.pth'))
    save_clip_file(model, str(folder / 'tiny.pt'), torchscript=True)
    return model, str(folder / 'tiny.pth'), str(folder / 'tiny.pt')


def _loaded(path, **kwargs):
    kwargs.setdefault('adapter_positions', ())
    model = CLIPViT(arch='tiny', num_frames=3, pretrained=path, **kwargs)
    model.init_weights()
    return model.eval()


def test_matches_open_clip_forward(tiny_clip):
    """Adapters off: our per-frame class features, through CLIP's proj, are open_clip's image embeddings."""
    clip, path, _ = tiny_clip
    video = torch.randn(2, 3, 3, 32, 32)
    with torch.no_grad():
        _, frames = _loaded(path)(video)
        expected = clip.encode_image(video.transpose(1, 2).reshape(6, 3, 32, 32)).reshape(2, 3, -1)
    assert torch.allclose(frames @ clip.visual.proj, expected, atol=1e-5)


def test_adapters_start_as_identity_and_learn_in_time_only(tiny_clip):
    clip, path, _ = tiny_clip
    video = torch.randn(1, 3, 3, 32, 32)
    plain, adapted = _loaded(path), _loaded(path, adapter_positions=('pre_attn', 'pre_mlp'))
    with torch.no_grad():
        assert torch.allclose(plain(video)[1], adapted(video)[1], atol=1e-6)
    assert sum(p.numel() for p in adapted.parameters() if p.requires_grad) == 2 * 2 * (
        64 * 384 + 384 + 384 * 3 + 384 + 384 * 64 + 64)
    assert not any(p.requires_grad for p in adapted.visual.parameters())


def test_st_adapter_mixes_neighbouring_frames_of_patch_tokens_only():
    torch.manual_seed(0)
    adapter = STAdapter(8, 4)
    adapter.conv.weight.data.normal_()
    x = torch.randn(5, 1 + 6, 8)  # 5 frames of one clip, class token + 6 patches
    y = adapter(x, num_frames=5)
    assert torch.equal(y[:, 0], x[:, 0])  # class token skipped
    x2 = x.clone()
    x2[0, 1:] += 1.0  # change frame 0's patches
    change = (adapter(x2, num_frames=5) - y)[:, 1:].abs().amax(dim=(1, 2))
    assert change[1] > 0 and torch.all(change[2:] == 0)  # kernel 3 in time: frame 1 sees it, frames 2-4 do not
    with pytest.raises(ValueError, match='not a multiple of num_frames=4'):
        adapter(x, num_frames=4)


def test_extra_queries_leave_the_tokens_unchanged_and_attend_like_cross_attention():
    torch.manual_seed(0)
    attn = torch.nn.MultiheadAttention(16, 4, batch_first=True).eval()
    x, extra = torch.randn(2, 7, 16), torch.randn(2, 3, 16)
    with torch.no_grad():
        x_out, extra_out, probs = attention_with_extra_queries(attn, x, extra, need_weights=True)
        reference_x = attn(x, x, x, need_weights=False)[0]
        reference_extra, reference_probs = attn(extra, x, x, need_weights=True)
    assert torch.allclose(x_out, reference_x, atol=1e-6)
    assert torch.allclose(extra_out, reference_extra, atol=1e-6)
    assert probs.shape == (2, 10, 7) and torch.allclose(probs[:, 7:], reference_probs, atol=1e-6)


def test_torchscript_needs_the_trust_flag_and_then_loads_the_same_weights(tiny_clip):
    _, path, jit_path = tiny_clip
    with pytest.raises(ValueError, match=r'tiny\.pt is a TorchScript archive.*trust_torchscript=True'):
        _loaded(jit_path)
    a, b = _loaded(path), _loaded(jit_path, trust_torchscript=True)
    for (key, value), other in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.equal(value, other), key


def test_prefixes_are_stripped_and_the_positional_embedding_resized(tiny_clip, tmp_path):
    clip, _, _ = tiny_clip
    path = str(tmp_path / 'wrapped.pth')
    torch.save({'state_dict': {f'module.{k}': v for k, v in clip.state_dict().items()}}, path)
    model = _loaded(path, input_resolution=80)  # 2x2 grid in the file, 5x5 here
    pos = clip.visual.positional_embedding
    grid = F.interpolate(pos[1:].reshape(1, 2, 2, -1).permute(0, 3, 1, 2), size=(5, 5), mode='bicubic',
                         align_corners=False)
    assert torch.allclose(model.visual.positional_embedding[0], pos[0])
    assert torch.allclose(model.visual.positional_embedding[1:], grid.permute(0, 2, 3, 1).reshape(25, -1))
    assert torch.equal(model.visual.conv1.weight, clip.visual.conv1.weight)
    with pytest.raises(ValueError, match='not a square grid'):
        resize_positional_embedding(torch.zeros(1 + 6, 4), (2, 2))


def test_wrong_architecture_is_named(tiny_clip, tmp_path):
    _, path, _ = tiny_clip
    with pytest.raises(ValueError, match=r'tiny\.pth is not a CLIP of this architecture: .*shapes differ'):
        model = CLIPViT(arch=dict(width=128, layers=2, patch_size=16, image_size=32), num_frames=3,
                        adapter_positions=(), pretrained=path)
        model.init_weights()


def test_missing_and_unexpected_keys_are_reported(tiny_clip, tmp_path, caplog):
    clip, _, _ = tiny_clip
    state = {k: v for k, v in clip.state_dict().items() if k != 'visual.ln_post.weight'}
    state['visual.extra.weight'] = torch.zeros(1)
    path = str(tmp_path / 'partial.pth')
    torch.save(state, path)
    model = CLIPViT(arch='tiny', num_frames=3, adapter_positions=(), pretrained=path)
    missing, unexpected = model.load_pretrained(path)
    assert missing == ['ln_post.weight'] and unexpected == ['extra.weight']


@pytest.mark.parametrize('name, dtype', [('bf16', torch.bfloat16), ('fp16', torch.float16)])
def test_half_precision_frozen_clip_stays_close_to_fp32(tiny_clip, name, dtype):
    _, path, _ = tiny_clip
    video = torch.randn(1, 3, 3, 32, 32)
    full, half = _loaded(path, adapter_positions=('pre_mlp', )), _loaded(path, adapter_positions=('pre_mlp', ),
                                                                       frozen_dtype=name)
    assert half.visual.conv1.weight.dtype == dtype and half.adapters_pre_mlp['0'].up.weight.dtype == torch.float32
    with torch.no_grad():
        a, b = full(video)[1], half(video)[1]
    assert b.dtype == torch.float32 and (a - b).abs().max() < 0.05 * a.abs().max()
    with pytest.raises(ValueError, match='frozen_dtype needs frozen=True'):
        CLIPViT(arch='tiny', frozen=False, frozen_dtype='fp16')


def test_input_checks_name_the_option():
    model = CLIPViT(arch='tiny', num_frames=3)
    with pytest.raises(ValueError, match='num_frames=3 but got T=4'):
        model(torch.randn(1, 3, 4, 32, 32))
    with pytest.raises(ValueError, match='built for 32x32 frames but got 64x64; set backbone.input_resolution'):
        model(torch.randn(1, 3, 3, 64, 64))
