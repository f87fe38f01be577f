"""VisionTransformerEMIM: EMIM attention in MMAction2's VideoMAE ViT at chosen blocks; its weights load."""
import pytest
import torch

from mmaction_ext.models.backbones.emim_vit import EMIMViTBlock, VisionTransformerEMIM

SMALL = dict(img_size=64, patch_size=16, embed_dims=64, depth=4, num_heads=2, num_frames=8, tubelet_size=2)


def vit(**kwargs):
    from mmaction.models.backbones.vit_mae import VisionTransformer
    return VisionTransformer(**dict(SMALL, **kwargs))


def test_videomae_weights_load_and_only_emim_parameters_are_new():
    torch.manual_seed(0)
    stock = vit()
    model = VisionTransformerEMIM(emim_blocks=(0, 2), emim=dict(window_size=3), **SMALL)
    result = model.load_state_dict(stock.state_dict(), strict=False)
    assert not result.unexpected_keys
    assert sorted({key.split('.attn.')[1] for key in result.missing_keys}) == [
        'motion_conv.0.bias', 'motion_conv.0.weight', 'motion_conv.2.bias', 'motion_conv.2.weight', 'rpb']
    assert [i for i, block in enumerate(model.blocks) if isinstance(block, EMIMViTBlock)] == [0, 2]
    for name in ('q_bias', 'v_bias', 'qkv.weight'):
        key = f'blocks.2.attn.{name}'
        torch.testing.assert_close(model.state_dict()[key], stock.state_dict()[key])


def test_without_emim_blocks_it_is_mmaction_vit():
    torch.manual_seed(0)
    stock = vit().eval()
    model = VisionTransformerEMIM(**SMALL).eval()
    model.load_state_dict(stock.state_dict())
    x = torch.randn(1, 3, 8, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x), stock(x))


@pytest.mark.parametrize('frames, height, width', [(8, 64, 96), (4, 48, 64)])
def test_any_frame_count_and_non_square_maps(frames, height, width):
    model = VisionTransformerEMIM(emim_blocks=(1, ), emim=dict(window_size=3), **dict(SMALL, num_frames=frames))
    model.init_weights()
    with torch.no_grad():
        assert model(torch.randn(2, 3, frames, height, width)).shape == (2, 64)


def test_bad_block_index_and_checkpoint_of_another_frame_count(tmp_path):
    with pytest.raises(ValueError, match=r'emim_blocks \[4\] outside the 4 blocks'):
        VisionTransformerEMIM(emim_blocks=(4, ), **SMALL)
    path = tmp_path / 'videomae_16f.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in vit(num_frames=16).state_dict().items()}}, path)
    model = VisionTransformerEMIM(emim_blocks=(0, ), emim=dict(window_size=3), pretrained=str(path), **SMALL)
    with pytest.raises(ValueError, match=r'videomae_16f.pth: pos_embed \(1, 128, 64\) was made for 128 patches, '
                       r'this VisionTransformerEMIM has 64 .*set num_frames and img_size'):
        model.init_weights()


def test_pretrained_checkpoint_loads(tmp_path):
    """``pretrained`` loads (MMAction2 1.2.0's ViT ignores it: its init_cfg overwrites the Pretrained entry)."""
    torch.manual_seed(0)
    stock = vit()
    path = tmp_path / 'videomae.pth'
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in stock.state_dict().items()}}, path)
    model = VisionTransformerEMIM(emim_blocks=(0, ), emim=dict(window_size=3), pretrained=str(path), **SMALL)
    model.init_weights()
    torch.testing.assert_close(model.blocks[1].attn.qkv.weight, stock.blocks[1].attn.qkv.weight)
    torch.testing.assert_close(model.blocks[0].attn.q_bias, stock.blocks[0].attn.q_bias)
