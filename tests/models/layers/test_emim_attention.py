"""EMIMAttention against a slow, obviously correct oracle (F.unfold windows, a loop over frames), and its
switches, borders, frame pairing, initialisation and errors."""
import pytest
import torch
import torch.nn.functional as F

from mmaction_ext.models.layers.emim_attention import (PAD_VALUE, EMIMAttention, import_natten, local_window_logits,
                                                       window_index)


def oracle(module: EMIMAttention, x: torch.Tensor, thw):
    """EMIM written out: per frame t, pair (t, t + delta) as the module's edge_mode says, unfold the key /
    value windows from the map padded with 1e-6, logits = q . k * scale + rpb, appearance = softmax . v,
    motion = MLP(logits). Returns the output and the attention ``(B, heads, T, HW, K*K)``."""
    batch, _, channels = x.shape
    frames, height, width = thw
    heads, dim, size = module.num_heads, module.head_dim, module.window_size
    delta = module.temporal_interval
    qkv = module.qkv(x).reshape(batch, frames, height, width, 3, heads, dim)
    q, k, v = qkv[..., 0, :, :] * module.scale, qkv[..., 1, :, :], qkv[..., 2, :, :]
    outputs, attentions = [], []
    for t in range(frames):
        query_frame, key_frame = t, t + delta
        if key_frame >= frames and module.edge_mode == 'repeat':
            query_frame, key_frame = frames - 1 - delta, frames - 1

        def windows(tensor):  # (B, H, W, heads, D) -> (B, heads, D, K*K, H*W)
            if key_frame >= frames:  # edge_mode 'pad': a frame of the padding constant
                tensor = torch.full_like(tensor[:, 0], PAD_VALUE)
            else:
                tensor = tensor[:, key_frame]
            tensor = tensor.permute(0, 3, 4, 1, 2).reshape(batch, heads * dim, height, width)
            if module.sampling == 'sliding':
                pad = size // 2
                unfolded = F.unfold(F.pad(tensor, (pad, ) * 4, value=PAD_VALUE), size)
                return unfolded.reshape(batch, heads, dim, size * size, height * width)
            padded = F.pad(tensor, (0, -width % size, 0, -height % size), value=PAD_VALUE)
            blocks = F.unfold(padded, size, stride=size)  # (B, heads*D*K*K, blocks)
            blocks_per_row = padded.shape[-1] // size
            block_of = torch.tensor([(i // size) * blocks_per_row + j // size for i in range(height)
                                     for j in range(width)])
            return blocks.reshape(batch, heads, dim, size * size, -1)[..., block_of]

        key_windows, value_windows = windows(k), windows(v)
        query = q[:, query_frame].reshape(batch, height * width, heads, dim)
        logits = torch.einsum('bphd,bhdwp->bhpw', query, key_windows) + module.rpb.reshape(1, heads, 1, -1)
        attn = logits.softmax(-1)
        out = torch.einsum('bhpw,bhdwp->bhpd', attn, value_windows)
        if module.with_motion:
            out = out + module.motion_conv(logits)
        outputs.append(out.permute(0, 2, 1, 3).reshape(batch, height * width, channels))
        attentions.append(attn)
    out = module.proj(torch.stack(outputs, 1).reshape(batch, -1, channels))
    return out, torch.stack(attentions, 2)


def randomised(module):
    """Non-zero motion MLP and RPB, so that every parameter matters."""
    torch.manual_seed(1)
    for parameter in module.parameters():
        parameter.data.normal_(0, 0.2)
    return module


@pytest.mark.parametrize('thw, window, delta, sampling, edge', [
    ((4, 5, 6), 3, 1, 'sliding', 'repeat'),  # non-square
    ((2, 7, 7), 7, 1, 'sliding', 'repeat'),  # stage 4: the window as large as the map
    ((3, 6, 6), 5, 2, 'sliding', 'repeat'),
    ((5, 11, 12), 11, 3, 'sliding', 'pad'),
    ((4, 9, 10), 9, 1, 'sliding', 'pad'),
    ((3, 4, 4), 3, 0, 'sliding', 'repeat'),  # the same frame (images)
    ((3, 5, 7), 3, 1, 'block', 'repeat'),  # Table 6's non-sliding windows, padded to whole blocks
    ((32, 3, 3), 3, 1, 'sliding', 'repeat'),
])
def test_matches_the_oracle_forward_and_backward(thw, window, delta, sampling, edge):
    assert_matches_the_oracle(
        randomised(EMIMAttention(12, 3, window_size=window, temporal_interval=delta, sampling=sampling,
                                 edge_mode=edge)), thw)


@pytest.mark.parametrize('thw, window, delta, edge', [
    ((4, 5, 6), 3, 1, 'repeat'),
    ((2, 7, 7), 7, 1, 'repeat'),
    ((3, 6, 6), 5, 2, 'repeat'),
    ((5, 11, 12), 11, 3, 'pad'),
    ((3, 4, 4), 3, 0, 'repeat'),
])
def test_natten_backend_matches_the_oracle(thw, window, delta, edge):
    try:
        import_natten()
    except ImportError as error:
        pytest.skip(f'the optional NATTEN backend cannot be tested here: {error}')
    assert_matches_the_oracle(
        randomised(EMIMAttention(12, 3, window_size=window, temporal_interval=delta, edge_mode=edge,
                                 backend='natten')), thw)


def test_natten_backend_names_what_is_missing(monkeypatch):
    import sys
    import types
    monkeypatch.setitem(sys.modules, 'natten', None)  # not installed
    with pytest.raises(ImportError, match=r'natten>=0.17,<0.20 .*does not import here'):
        EMIMAttention(12, 3, backend='natten')
    newer = types.ModuleType('natten')
    newer.__version__, newer.functional = '0.21.7', types.ModuleType('natten.functional')
    monkeypatch.setitem(sys.modules, 'natten', newer)
    monkeypatch.setitem(sys.modules, 'natten.functional', newer.functional)
    with pytest.raises(ImportError, match='natten 0.21.7 is installed .*dropped'):
        EMIMAttention(12, 3, backend='natten')
    with pytest.raises(ValueError, match="sliding windows only, not sampling='block'"):
        EMIMAttention(12, 3, backend='natten', sampling='block')


def assert_matches_the_oracle(module, thw):
    """Output, window attention and every gradient of ``module`` equal the oracle's (fp32, atol 1e-5)."""
    x = torch.randn(2, thw[0] * thw[1] * thw[2], 12, requires_grad=True)
    out, attn = module(x, thw, return_affinity=True)
    expected, expected_attn = oracle(module, x, thw)
    torch.testing.assert_close(out, expected, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(attn, expected_attn, atol=1e-5, rtol=1e-5)
    grads = torch.autograd.grad(out.square().sum(), [x, *module.parameters()])
    expected_grads = torch.autograd.grad(expected.square().sum(), [x, *module.parameters()])
    for (name, _), grad, expected_grad in zip([('x', None), *module.named_parameters()], grads, expected_grads):
        scale = expected_grad.abs().max().clamp(min=1)  # fp32: 1e-5 relative to the gradient's size
        torch.testing.assert_close(grad / scale, expected_grad / scale, atol=1e-5, rtol=0, msg=f'gradient of {name}')


def test_gradcheck_in_float64():
    module = randomised(EMIMAttention(4, 2, window_size=3)).double()
    x = torch.randn(1, 3 * 3 * 4, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda inputs: module(inputs, (3, 3, 4)), (x, ))


def test_border_keys_are_the_padding_constant_neither_shifted_nor_masked():
    """A corner query's window reaches past the map: those keys are 1e-6 in every channel, so their
    logit is 1e-6 * sum(q) (the RPB is added later)."""
    q, k = torch.randn(1, 1, 16, 8), torch.randn(1, 1, 16, 8)
    index, padding = window_index(4, 4, 5, 'sliding')
    logits = local_window_logits(q, k, index[None, None], padding, (4, 4))
    corner = logits[0, 0, 0].reshape(5, 5)  # query (0, 0): rows and columns 0-1 of its window are padding
    torch.testing.assert_close(corner[:2], PAD_VALUE * q[0, 0, 0].sum().expand(2, 5))
    torch.testing.assert_close(corner[2:, :2], PAD_VALUE * q[0, 0, 0].sum().expand(3, 2))
    key_map = k[0, 0].reshape(4, 4, 8)
    torch.testing.assert_close(corner[2:, 2:], torch.einsum('d,ijd->ij', q[0, 0, 0], key_map[:3, :3]))


@pytest.mark.parametrize('delta', [1, 2])
def test_last_frames_repeat_the_last_pair(delta):
    """Official pairing: the frames without a frame t + delta take the output of frame T - 1 - delta."""
    module = randomised(EMIMAttention(8, 2, window_size=3, temporal_interval=delta))
    out = module(torch.randn(1, 5 * 9, 8), (5, 3, 3)).reshape(5, 9, 8)
    for t in range(5 - delta, 5):
        torch.testing.assert_close(out[t], out[4 - delta])
    assert not torch.allclose(out[4 - delta], out[3 - delta])


def test_motion_branch_starts_at_zero_and_can_be_switched_off():
    torch.manual_seed(0)
    with_motion = EMIMAttention(8, 2, window_size=3)
    without = EMIMAttention(8, 2, window_size=3, with_motion=False)
    assert (with_motion.motion_conv[2].weight == 0).all() and (with_motion.motion_conv[2].bias == 0).all()
    without.load_state_dict(with_motion.state_dict(), strict=False)
    x = torch.randn(1, 2 * 9, 8)
    torch.testing.assert_close(with_motion(x, (2, 3, 3)), without(x, (2, 3, 3)))
    assert not any('motion' in name for name, _ in without.named_parameters())
    assert 0.005 < EMIMAttention(64, 4).rpb.std() < 0.04  # trunc_normal_(std=0.02), as the official code


def test_parameters_added_to_an_attention_block():
    """22,408 + heads * 49 new parameters per block at K = 7, head_dim 64 (the issue's count)."""
    for dim, heads in ((320, 5), (512, 8)):
        module = EMIMAttention(dim, heads)
        added = sum(p.numel() for name, p in module.named_parameters() if not name.startswith(('qkv', 'proj')))
        assert added == 22408 + heads * 49


def test_motion_activation_is_configurable():
    assert type(EMIMAttention(8, 2, window_size=3).motion_conv[1]).__name__ == 'QuickGELU'
    assert isinstance(EMIMAttention(8, 2, window_size=3, motion_act='gelu').motion_conv[1], torch.nn.GELU)


@pytest.mark.parametrize('kwargs, thw, message', [
    (dict(window_size=4), None, 'window_size must be odd'),
    (dict(num_heads=3), None, 'num_heads=3 does not divide dim=8'),
    (dict(sampling='dilated'), None, "unknown sampling 'dilated'"),
    (dict(edge_mode='wrap'), None, "unknown edge_mode 'wrap'"),
    (dict(motion_act='relu'), None, "unknown motion_act 'relu'"),
    (dict(backend='cuda'), None, "unknown backend 'cuda'"),
    (dict(temporal_interval=2), (2, 3, 3), 'temporal_interval=2 needs at least 3 frames, got T=2'),
    (dict(window_size=5), (2, 3, 6), 'window_size=5 is larger than the 3x6 feature map'),
])
def test_bad_options_are_named(kwargs, thw, message):
    options = dict(dim=8, num_heads=2, window_size=3)
    options.update(kwargs)
    with pytest.raises(ValueError, match=message):
        module = EMIMAttention(**options)
        module(torch.randn(1, thw[0] * thw[1] * thw[2], 8), thw)
    with pytest.raises(ValueError, match=r'20 tokens are not T\*H\*W = 2\*3\*3'):
        EMIMAttention(8, 2, window_size=3)(torch.randn(1, 20, 8), (2, 3, 3))


def test_traced_path_with_explicit_windows_gives_the_same_result(monkeypatch):
    """Under tracing (mmengine's FLOP counter) the windows are gathered explicitly so that the einsums count
    K^2 keys; the result is the dense path's."""
    module = randomised(EMIMAttention(12, 3, window_size=5))
    x = torch.randn(2, 3 * 6 * 7, 12)
    dense = module(x, (3, 6, 7))
    monkeypatch.setattr(torch.jit, 'is_tracing', lambda: True)
    torch.testing.assert_close(module(x, (3, 6, 7)), dense, atol=1e-6, rtol=1e-5)
    monkeypatch.undo()
    module.explicit_windows = True  # the same path without tracing (the benchmark's variant)
    torch.testing.assert_close(module(x, (3, 6, 7)), dense, atol=1e-6, rtol=1e-5)


def test_window_offsets_read_out_a_known_shift():
    """Keys equal to the queries shifted by (dy, dx), at a large scale: every interior query attends to the
    key (dy, dx) away, and the soft-argmax offset is (dy, dx)."""
    from mmaction_ext.models.layers.emim_attention import window_offsets
    torch.manual_seed(0)
    height, width, dim, (dy, dx) = 9, 10, 16, (1, -2)
    q = F.normalize(torch.randn(1, 1, height, width, dim), dim=-1) * 10  # q.q = 100, q.q' well below
    k = torch.roll(q, shifts=(dy, dx), dims=(2, 3))  # the key at (i + dy, j + dx) equals query (i, j)
    index, padding = window_index(height, width, 5, 'sliding')
    logits = local_window_logits(q.reshape(1, 1, -1, dim), k.reshape(1, 1, -1, dim), index[None, None], padding,
                                 (height, width))
    offsets = window_offsets(logits.softmax(-1), 5).reshape(height, width, 2)
    interior = offsets[2:-2, 2:-2]  # the keys (i + dy, j + dx) of these queries are inside the map
    torch.testing.assert_close(interior, torch.tensor([dy, dx], dtype=torch.float32).expand_as(interior), atol=1e-3,
                               rtol=0)


def test_videomae_q_v_biases_are_a_qkv_bias_without_the_key_part():
    torch.manual_seed(0)
    qv = randomised(EMIMAttention(8, 2, window_size=3, qkv_bias='qv'))
    plain = EMIMAttention(8, 2, window_size=3, qkv_bias=True)
    state = {k: v for k, v in qv.state_dict().items() if k not in ('q_bias', 'v_bias')}
    state['qkv.bias'] = torch.cat([qv.q_bias, torch.zeros(8), qv.v_bias]).detach()
    plain.load_state_dict(state)
    x = torch.randn(1, 2 * 9, 8)
    torch.testing.assert_close(qv(x, (2, 3, 3)), plain(x, (2, 3, 3)))
    assert qv.qkv.bias is None
    with pytest.raises(ValueError, match="qkv_bias must be True, False or 'qv'"):
        EMIMAttention(8, 2, qkv_bias='k')


def test_global_appearance_keeps_the_original_attention_and_adds_the_motion_feature():
    """Table 10's variant (our reading): the unchanged global MHSA plus the window cost volume's motion
    feature. With the motion MLP at its zero init it is MMAction2's UniFormer attention with the same weights;
    otherwise the difference is proj(motion) of the window logits (checked against the oracle's motion)."""
    import mmaction_ext  # noqa: F401
    from mmaction.models.backbones.uniformer import Attention
    torch.manual_seed(0)
    module = EMIMAttention(12, 3, window_size=3, appearance='global')
    stock = Attention(12, 3)
    stock.load_state_dict({k: v for k, v in module.state_dict().items() if k.startswith(('qkv', 'proj'))})
    x = torch.randn(2, 4 * 5 * 6, 12)
    torch.testing.assert_close(module(x, (4, 5, 6)), stock(x))
    randomised(module)
    stock.load_state_dict({k: v for k, v in module.state_dict().items() if k.startswith(('qkv', 'proj'))})
    window_only = EMIMAttention(12, 3, window_size=3)
    window_only.load_state_dict(module.state_dict())
    no_motion = EMIMAttention(12, 3, window_size=3, with_motion=False)
    no_motion.load_state_dict(module.state_dict(), strict=False)
    motion = (window_only(x, (4, 5, 6)) - no_motion(x, (4, 5, 6)))  # proj(a + m) - proj(a) = W m
    torch.testing.assert_close(module(x, (4, 5, 6)), stock(x) + motion, atol=1e-5, rtol=1e-5)
    with pytest.raises(ValueError, match="unknown appearance 'local'"):
        EMIMAttention(12, 3, appearance='local')
