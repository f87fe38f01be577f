"""3-D multi-scale deformable attention: the grid_sample core against a loop oracle, the offset
normaliser (clean and the released code's), the initial offsets, chunking (same values, bounded
intermediates) and the encoder."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mmaction_ext.models.layers.deformable_attention_3d import (DeformableEncoder3D, MultiScaleDeformableAttention3D,
                                                                level_reference_points, ms_deform_attn_3d,
                                                                sine_positional_encoding_3d)


def trilinear_oracle(volume: np.ndarray, x: float, y: float, t: float) -> np.ndarray:
    """Sample ``volume (C, T, H, W)`` at normalised ``(x, y, t)``: pixel ``i`` at ``(i + 0.5) / n``, zero
    outside, written with explicit corner weights (the CUDA op's ``loc * size - 0.5``)."""
    channels, frames, height, width = volume.shape
    px, py, pt = x * width - 0.5, y * height - 0.5, t * frames - 0.5
    x0, y0, t0 = math.floor(px), math.floor(py), math.floor(pt)
    out = np.zeros(channels)
    for dt in (0, 1):
        for dy in (0, 1):
            for dx in (0, 1):
                xi, yi, ti = x0 + dx, y0 + dy, t0 + dt
                weight = ((1 - abs(px - xi)) * (1 - abs(py - yi)) * (1 - abs(pt - ti)))
                if 0 <= xi < width and 0 <= yi < height and 0 <= ti < frames:
                    out += weight * volume[:, ti, yi, xi]
    return out


def deform_oracle(value, shapes, locations, weights):
    batch, _, heads, head_dims = value.shape
    num_queries = locations.shape[1]
    starts = np.cumsum([0] + [t * h * w for t, h, w in shapes])
    out = np.zeros((batch, num_queries, heads, head_dims))
    for b in range(batch):
        for q in range(num_queries):
            for m in range(heads):
                for level, (t, h, w) in enumerate(shapes):
                    volume = value[b, starts[level]:starts[level + 1], m].T.reshape(head_dims, t, h, w)
                    for p in range(locations.shape[4]):
                        x, y, tt = locations[b, q, m, level, p]
                        out[b, q, m] += weights[b, q, m, level, p] * trilinear_oracle(volume, x, y, tt)
    return out.reshape(batch, num_queries, heads * head_dims)


SHAPES = [(4, 6, 5), (2, 3, 3)]


def random_inputs(seed=0, batch=2, queries=5, heads=2, head_dims=3, points=3):
    gen = torch.Generator().manual_seed(seed)
    tokens = sum(t * h * w for t, h, w in SHAPES)
    value = torch.randn(batch, tokens, heads, head_dims, generator=gen, dtype=torch.float64)
    # locations inside and up to 0.2 outside [0, 1], so the zero padding is exercised
    locations = torch.rand(batch, queries, heads, len(SHAPES), points, 3, generator=gen, dtype=torch.float64) * 1.4 - 0.2
    weights = torch.rand(batch, queries, heads, len(SHAPES), points, generator=gen, dtype=torch.float64)
    return value, locations, weights


@pytest.mark.parametrize('impl', ['grid_sample', 'gather'])
def test_core_matches_loop_oracle(impl):
    value, locations, weights = random_inputs()
    ours = ms_deform_attn_3d(value, SHAPES, locations, weights, impl=impl)
    oracle = deform_oracle(value.numpy(), SHAPES, locations.numpy(), weights.numpy())
    np.testing.assert_allclose(ours.numpy(), oracle, atol=1e-10)


@pytest.mark.parametrize('impl', ['grid_sample', 'gather'])
def test_core_at_pixel_centres_reads_the_pixel(impl):
    value, locations, weights = random_inputs(heads=1, points=1, queries=1, batch=1)
    t, h, w = SHAPES[0]
    locations[...] = 0
    locations[0, 0, 0, 0, 0] = torch.tensor([(2 + 0.5) / w, (1 + 0.5) / h, (3 + 0.5) / t])  # pixel x2 y1 t3
    weights[...] = 0
    weights[0, 0, 0, 0, 0] = 1
    out = ms_deform_attn_3d(value, SHAPES, locations, weights, impl=impl)
    np.testing.assert_allclose(out[0, 0].numpy(), value[0, (3 * h + 1) * w + 2, 0].numpy())


def test_gather_gradients_match_grid_sample():
    value, locations, weights = random_inputs(batch=2)
    grads = {}
    for impl in ('grid_sample', 'gather'):
        inputs = [t.clone().requires_grad_(True) for t in (value, locations, weights)]
        out = ms_deform_attn_3d(*inputs[:1], SHAPES, *inputs[1:], impl=impl)
        (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out)).sum().backward()
        grads[impl] = [t.grad for t in inputs]
    for ref, ours in zip(grads['grid_sample'], grads['gather']):  # no location sits on a cell boundary
        torch.testing.assert_close(ours, ref, atol=1e-9, rtol=1e-7)


def test_auto_gathers_in_inference_and_samples_grids_in_training(monkeypatch):
    value, locations, weights = random_inputs()
    calls = []
    for name in ('grid_sample', 'embedding_bag'):
        original = getattr(F, name)
        monkeypatch.setattr(F, name, lambda *a, _name=name, _original=original, **k: calls.append(_name) or
                            _original(*a, **k))
    with torch.no_grad():
        ms_deform_attn_3d(value, SHAPES, locations, weights)
    assert calls == ['embedding_bag']
    calls.clear()
    ms_deform_attn_3d(value.requires_grad_(True), SHAPES, locations, weights)
    assert calls == ['grid_sample'] * len(SHAPES)
    with pytest.raises(ValueError, match="impl must be one of"):
        ms_deform_attn_3d(value, SHAPES, locations, weights, impl='cuda')


def test_chunking_gives_same_values_and_bounds_the_sampled_tensor(monkeypatch):
    value, locations, weights = random_inputs(queries=11)
    full = ms_deform_attn_3d(value, SHAPES, locations, weights)
    seen = []
    original = F.grid_sample

    def recording(input, grid, *args, **kwargs):
        seen.append(grid.shape[1])  # queries sampled in this call
        return original(input, grid, *args, **kwargs)

    monkeypatch.setattr(F, 'grid_sample', recording)
    chunked = ms_deform_attn_3d(value, SHAPES, locations, weights, chunk_size=4, impl='grid_sample')
    torch.testing.assert_close(chunked, full)
    assert max(seen) == 4 and sum(seen) == 11 * len(SHAPES)
    bags = []
    original_bag = F.embedding_bag

    def recording_bag(input, *args, **kwargs):
        bags.append(input.shape[0] // value.shape[0] // value.shape[2])  # queries gathered in this call
        return original_bag(input, *args, **kwargs)

    monkeypatch.setattr(F, 'embedding_bag', recording_bag)
    torch.testing.assert_close(ms_deform_attn_3d(value, SHAPES, locations, weights, chunk_size=4, impl='gather'),
                               full)
    assert bags == [4, 4, 3]


def test_token_count_mismatch_is_named():
    value, locations, weights = random_inputs()
    with pytest.raises(ValueError, match='level shapes'):
        ms_deform_attn_3d(value[:, :-1], SHAPES, locations, weights)


def test_initial_offsets_half_heads_temporal():
    offsets = MultiScaleDeformableAttention3D.initial_offsets(num_heads=8, num_levels=2, num_points=3)
    assert offsets.shape == (8, 2, 3, 3)
    first_point = offsets[:, 0, 0]
    # first half: one step forward in time; second half: in the frame
    assert torch.all(first_point[:4, 2] == 1) and torch.all(first_point[4:, 2] == 0)
    # the two halves share the 4 (x, y) directions; the second half is scaled to max |.| = 1
    torch.testing.assert_close(first_point[4:, :2].abs().max(-1).values, torch.ones(4))
    torch.testing.assert_close(first_point[4, :2], torch.tensor([1.0, 0.0]))
    torch.testing.assert_close(first_point[5, :2], torch.tensor([0.0, 1.0]), atol=1e-6, rtol=0)
    # point p sits p + 1 steps out
    torch.testing.assert_close(offsets[:, :, 2], 3 * offsets[:, :, 0])


@pytest.mark.parametrize('normalizer, divisors', [('whT', (5, 6, 4)), ('official', (4, 5, 6))])
def test_offset_normaliser(normalizer, divisors):
    attn = MultiScaleDeformableAttention3D(embed_dims=16, num_heads=2, num_levels=1, num_points=1,
                                           offset_normalizer=normalizer)
    with torch.no_grad():
        attn.sampling_offsets.weight.zero_()
        attn.sampling_offsets.bias.copy_(torch.tensor([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]))
    query = torch.zeros(1, 1, 16)
    ref = torch.full((1, 1, 3), 0.5)
    loc = attn.sampling_locations(query, ref, [(4, 6, 5)])  # level (T, H, W) = (4, 6, 5)
    expected = 0.5 + 1 / torch.tensor(divisors, dtype=torch.float32)  # (x, y, t) offsets of one unit
    torch.testing.assert_close(loc[0, 0, 0, 0, 0], expected)


def test_module_chunked_equals_unchunked_and_gradients_flow():
    torch.manual_seed(0)
    attn = MultiScaleDeformableAttention3D(embed_dims=16, num_heads=2, num_levels=2, num_points=2, dropout=0.0)
    chunked = MultiScaleDeformableAttention3D(embed_dims=16, num_heads=2, num_levels=2, num_points=2, dropout=0.0,
                                              chunk_size=3)
    chunked.load_state_dict(attn.state_dict())
    tokens = sum(t * h * w for t, h, w in SHAPES)
    x = torch.randn(2, tokens, 16, requires_grad=True)
    ref = level_reference_points(SHAPES)[None].expand(2, -1, -1)
    out = attn(x, x, ref, SHAPES)
    torch.testing.assert_close(chunked(x, x, ref, SHAPES), out)
    out.sum().backward()
    assert x.grad is not None and attn.sampling_offsets.weight.grad.abs().sum() > 0


def test_level_reference_points_are_token_centres():
    points = level_reference_points([(2, 1, 3)])
    np.testing.assert_allclose(points.numpy(), [[1 / 6, 0.5, 0.25], [0.5, 0.5, 0.25], [5 / 6, 0.5, 0.25],
                                                [1 / 6, 0.5, 0.75], [0.5, 0.5, 0.75], [5 / 6, 0.5, 0.75]], rtol=1e-6)


def test_encoder_shapes_and_wrong_level_count():
    encoder = DeformableEncoder3D(num_layers=2, layer_cfg=dict(
        self_attn_cfg=dict(embed_dims=16, num_heads=2, num_levels=2, num_points=2),
        ffn_cfg=dict(embed_dims=16, feedforward_channels=32)))
    tokens = sum(t * h * w for t, h, w in SHAPES)
    x = torch.randn(1, tokens, 16)
    assert encoder(x, torch.zeros_like(x), SHAPES).shape == x.shape
    with pytest.raises(ValueError, match='num_levels=2'):
        encoder(x[:, :120], torch.zeros_like(x[:, :120]), SHAPES[:1])


def test_sine_encoding_split_and_frequencies():
    pos = sine_positional_encoding_3d((3, 4, 5), 32)
    assert pos.shape == (32, 3, 4, 5)
    # first C/4 = 8 channels depend on t only, next 12 on y only, last 12 on x only
    assert torch.allclose(pos[:8, :, 0, 0][:, :, None, None].expand(-1, -1, 4, 5), pos[:8])
    assert torch.allclose(pos[8:20, 0, :, 0][:, None, :, None].expand(-1, 3, -1, 5), pos[8:20])
    # channel 1 of t (cos) at t index 0: coordinate 1/3 * 2 pi, official exponent 1/8 vs DETR's 0
    angle = 1 / 3 * 2 * math.pi
    assert math.isclose(pos[1, 0, 0, 0].item(), math.cos(angle / 10000 ** (1 / 8)), rel_tol=1e-5)
    detr = sine_positional_encoding_3d((3, 4, 5), 32, official_frequencies=False)
    assert math.isclose(detr[1, 0, 0, 0].item(), math.cos(angle), rel_tol=1e-5)
    with pytest.raises(ValueError, match='multiple of 8'):
        sine_positional_encoding_3d((1, 1, 1), 20)
