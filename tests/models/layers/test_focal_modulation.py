"""SpatioTemporalFocalModulation against a direct transcription of the paper / official equations."""
import torch

from mmaction_ext.models import SpatioTemporalFocalModulation


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
