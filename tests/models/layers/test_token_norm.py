"""TokenBatchNorm: BatchNorm3d of the map the tokens came from, in training and eval mode."""
import pytest
import torch

from mmaction_ext.models.layers import TokenBatchNorm


def test_equals_batchnorm3d_on_the_map_in_training_and_eval():
    torch.manual_seed(0)
    maps = torch.randn(3, 6, 2, 4, 5) * 3 + 1
    tokens = maps.flatten(2).transpose(1, 2)  # (N, T*H*W, C), as UniFormer's patch embeddings flatten them
    ours, reference = TokenBatchNorm(6), torch.nn.BatchNorm3d(6)
    for _ in range(2):  # training: batch statistics, and the same running averages
        out = ours(tokens)
        expected = reference(maps).flatten(2).transpose(1, 2)
        torch.testing.assert_close(out, expected)
    torch.testing.assert_close(ours.running_mean, reference.running_mean)
    torch.testing.assert_close(ours.running_var, reference.running_var)
    ours.eval(), reference.eval()
    torch.testing.assert_close(ours(tokens), reference(maps).flatten(2).transpose(1, 2))


def test_each_channel_is_normalised_over_batch_and_tokens_not_each_token():
    tokens = torch.tensor([[[1., 10.], [3., 30.]], [[5., 50.], [7., 70.]]])  # channel 1 = 10 x channel 0
    out = TokenBatchNorm(2, affine=False)(tokens)
    # By hand: channel 0 has mean 4, biased variance 5 over the four tokens; channel 1 is the same up to scale.
    expected = (torch.tensor([1., 3., 5., 7.]) - 4) / (5 + 1e-5)**0.5
    torch.testing.assert_close(out[..., 0].flatten(), expected)
    torch.testing.assert_close(out[..., 1].flatten(), expected, atol=1e-4, rtol=1e-4)


def test_wrong_layout_is_a_named_error():
    with pytest.raises(ValueError, match=r'expected tokens \(N, L, 6\), got \(2, 6, 10\)'):
        TokenBatchNorm(6)(torch.randn(2, 6, 10))
