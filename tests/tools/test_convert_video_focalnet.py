"""tools/convert/video_focalnet_official.py on official-format files generated here."""
import torch
from mmengine.runner import load_checkpoint

from helpers import run_tool
from helpers.video_focalnet_official import official_state_dict, save_official_checkpoint


def test_convert_official_checkpoint_without_yacs(tmp_path):
    src, dst = str(tmp_path / 'official.pth'), str(tmp_path / 'converted.pth')
    official = official_state_dict(seed=3)
    save_official_checkpoint(src, official)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, dst])
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'missing keys: 0' in result.stdout and 'unexpected keys: 0' in result.stdout
    assert 'depths=(2, 2, 6, 2)' in result.stdout and '400 classes' in result.stdout
    from mmaction.models import Recognizer3D
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    model = Recognizer3D(backbone=dict(type='VideoFocalNet', arch='tiny'),
                         cls_head=dict(type='VideoFocalNetHead', num_classes=400, in_channels=768))
    checkpoint = load_checkpoint(model, dst, strict=True)
    assert checkpoint['meta']['official_config']['DATA']['NUM_FRAMES'] == 8
    assert checkpoint['meta']['epoch'] == 119
    assert torch.equal(model.backbone.layers[2].blocks[5].modulation.focal_layers_temporal[1][0].weight,
                       official['layers.2.blocks.5.modulation.focal_layers_temporal.1.0.weight'])
    assert torch.equal(model.cls_head.fc_cls.weight, official['head.weight'])


def test_converter_refuses_a_malicious_file(tmp_path):
    import os

    class Payload:

        def __reduce__(self):
            return os.system, (f'touch {tmp_path / "pwned"}', )

    src = str(tmp_path / 'evil.pth')
    torch.save({'model': official_state_dict(), 'config': Payload()}, src)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, str(tmp_path / 'out.pth')])
    assert result.returncode == 1 and 'UnsafeCheckpointError' in result.stdout and 'evil.pth' in result.stdout
    assert not (tmp_path / 'pwned').exists() and not (tmp_path / 'out.pth').exists()


def test_converter_reports_mismatched_shapes(tmp_path):
    official = official_state_dict()
    official['layers.0.blocks.0.modulation.h_temporal.weight'] = torch.zeros(96, 96, 3)
    src = str(tmp_path / 'odd.pth')
    save_official_checkpoint(src, official, with_config=False)
    result = run_tool(['tools/convert/video_focalnet_official.py', src, str(tmp_path / 'out.pth')])
    assert result.returncode == 1 and 'h_temporal.weight: file (96, 96, 3) vs model (96, 96, 1)' in result.stdout
