"""The temporal branch learns motion direction that single frames do not show (about 25 s)."""
import torch

from mmaction_ext.models import VideoFocalNet, VideoFocalNetHead


def _squares_on_a_torus(generator, n, frames=8, side=32):
    """Clips of a white square moving left (0) or right (1) on black, wrapping at the border: position is
    uniform in every frame, so only the change between frames tells the classes apart."""
    x, labels = torch.zeros(n, 3, frames, side, side), torch.randint(0, 2, (n, ), generator=generator)
    starts = torch.randint(0, side, (n, 2), generator=generator)
    for i in range(n):
        square = torch.zeros(side, side)
        square[:6, :6] = 1.0
        square = square.roll((int(starts[i, 1]), int(starts[i, 0])), (0, 1))
        step = 1 if labels[i] else -1
        for t in range(frames):
            x[i, :, t] = square.roll(step * t, 1)
    return x, labels


def _train_direction_classifier(temporal):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    # As in the demo config (docs/video_focalnet.md): two stages, so the final map (4x4) is pooled by a
    # translation-invariant mean, and a ReLU in the stem; the stem stays per frame here.
    arch = dict(embed_dims=16, depths=(2, 2), focal_levels=(2, 2), focal_windows=(3, 3))
    backbone = VideoFocalNet(arch, num_frames=8, temporal=temporal, drop_path_rate=0.0, out_indices=(1, ), pool=True,
                             stem_act_cfg=dict(type='ReLU'))
    backbone.init_weights()
    head = VideoFocalNetHead(2, backbone.num_features)
    head.init_weights()
    optimizer = torch.optim.AdamW([*backbone.parameters(), *head.parameters()], 1e-3)
    for _ in range(300):
        x, labels = _squares_on_a_torus(generator, 16)
        loss = torch.nn.functional.cross_entropy(head(backbone(x)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    x, labels = _squares_on_a_torus(torch.Generator().manual_seed(1), 200)
    with torch.no_grad():
        return (head(backbone(x)).argmax(1) == labels).float().mean().item()


def test_temporal_branch_learns_local_motion_that_single_frames_do_not_show():
    # Per-frame stem: frames meet only in the temporal modulation, so it alone must find the direction.
    video, image = _train_direction_classifier(True), _train_direction_classifier(False)
    assert video > 0.9, video
    assert image < 0.65, image
