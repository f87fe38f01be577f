"""TEA-ResNet50: any clip length, ME and MTA as the TEA paper, Res2Net weights from a local file."""
import pytest
import torch

from mmaction_ext.models.backbones import MotionExcitation, TEAResNet, TemporalShiftConv


def test_temporal_convolutions_start_as_identity_and_half_shifts():
    x = torch.randn(2 * 4, 6, 3, 3)  # (N T, C, H, W), T = 4
    assert torch.equal(TemporalShiftConv(6)(x, 4), x)
    shifted = TemporalShiftConv(6, 'shift')(x, 4).reshape(2, 4, 6, 3, 3)
    clip = x.reshape(2, 4, 6, 3, 3)
    assert torch.equal(shifted[:, :3, :3], clip[:, 1:, :3])  # first half reads frame t + 1
    assert torch.equal(shifted[:, 1:, 3:], clip[:, :3, 3:])  # second half reads frame t - 1
    assert torch.equal(shifted[:, 3, :3], torch.zeros(2, 3, 3, 3))  # padding beyond the clip


def test_motion_excitation_passes_a_static_clip_and_reacts_to_motion():
    torch.manual_seed(0)
    me = MotionExcitation(32, reduction=4).eval()
    with torch.no_grad():
        me.transform.weight.zero_()
        me.transform.weight[:, :, 1, 1] = 1  # identity: the motion is the plain frame difference
    frame = torch.randn(1, 32, 5, 5)
    static = frame.repeat(3, 1, 1, 1)  # one clip of 3 identical frames
    assert torch.allclose(me(static, 3), static)  # no motion: sigmoid(BN(0)) - 0.5 = 0
    moving = torch.cat([frame, frame + 1, frame + 2])  # brightening: a non-zero mean difference
    assert not torch.allclose(me(moving, 3), moving)


def test_any_clip_length_and_the_res5_map():
    model = TEAResNet()
    model.init_weights()
    model.eval()
    with torch.no_grad():
        for frames in (3, 5):
            assert model(torch.randn(1, 3, frames, 64, 64)).shape == (1, 2048, frames, 2, 2)
    with pytest.raises(ValueError, match=r'clips \(N, 3, T, H, W\)'):
        model(torch.randn(2, 3, 64, 64))


def test_res2net_imagenet_weights_load(tmp_path):
    torch.manual_seed(0)
    source = TEAResNet()
    # The released res2net50_26w_4s layout: the trunk's keys, an ImageNet fc, no ME / temporal convolutions.
    released = {k: v.clone() for k, v in source.state_dict().items() if '.me.' not in k and 'temporal_convs' not in k}
    released.update({'fc.weight': torch.randn(1000, 2048), 'fc.bias': torch.zeros(1000)})
    path = str(tmp_path / 'res2net50_26w_4s.pth')
    torch.save(released, path)
    model = TEAResNet(pretrained=path)
    model.init_weights()
    state = model.state_dict()
    for key in ('conv1.weight', 'layer1.0.convs.2.weight', 'layer4.2.bn3.running_var', 'layer3.0.downsample.0.weight'):
        assert torch.equal(state[key], released[key]), key
    assert torch.equal(state['layer2.1.temporal_convs.0.conv.weight'][:, 0, :, 0, 0],
                       torch.tensor([0., 1., 0.]).expand(52, 3))  # MTA starts as the identity
    wrong = {k: (v[:, :3] if k == 'layer1.0.conv3.weight' else v) for k, v in released.items()}
    torch.save(wrong, path)
    with pytest.raises(ValueError, match=r'not a Res2Net-50 26w4s: 1 shapes differ: layer1.0.conv3.weight'):
        TEAResNet(pretrained=path).init_weights()

