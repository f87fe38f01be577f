"""tools/export.py: every paper's recognizer (and MMAction2's ResNet3d) exported to ONNX or torch.export runs in
onnxruntime / from the saved program with outputs within 1e-4 of PyTorch; an operator an exporter cannot handle
is named."""
import os.path as osp

import numpy as np
import pytest
import torch

from helpers import EMIM_DEMO_CONFIG, REPO_ROOT, VIDEO_FOCALNET_DEMO_CONFIG, load_tool
from mmaction_ext.apis.export import export_model

CONFIGS = osp.join(REPO_ROOT, 'configs')
FOCUSVIDEO = osp.join(CONFIGS, 'focusvideo', 'focusvideo_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py')
ART = osp.join(CONFIGS, 'art', 'art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py')
R3D = osp.join(CONFIGS, 'demo', 'r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py')


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/export.py')


def options(name, tiny_clip_file, tiny_demo_text_bank):
    return dict(focusvideo=[f'model.backbone.pretrained={tiny_clip_file}'],
                art=[f'model.cls_head.text_bank={tiny_demo_text_bank}', 'model.cls_head.num_classes=4']).get(name, [])


@pytest.mark.parametrize('name, config, fmt', [
    ('r3d', R3D, 'onnx'),
    ('video_focalnet', VIDEO_FOCALNET_DEMO_CONFIG, 'onnx'),
    ('video_focalnet', VIDEO_FOCALNET_DEMO_CONFIG, 'torch-export'),
    ('emim', EMIM_DEMO_CONFIG, 'onnx'),
    ('focusvideo', FOCUSVIDEO, 'onnx'),
    ('art', ART, 'onnx'),
    ('art', ART, 'torch-export'),
], ids=lambda value: value if value in ('onnx', 'torch-export') or '/' not in value else '')
def test_exported_model_matches_pytorch(tool, name, config, fmt, tiny_clip_file, tiny_demo_text_bank, tmp_path):
    out = str(tmp_path / ('model.onnx' if fmt == 'onnx' else 'model.pt2'))
    extra = options(name, tiny_clip_file, tiny_demo_text_bank)
    result = tool.main([config, 'none', '--format', fmt, '--out', out] + (['--cfg-options', *extra] if extra else []))
    assert osp.getsize(out) > 10000 and result['difference'] <= 1e-4
    assert result['got'].shape == result['expected'].shape == (1, 4 if name == 'art' else 12)
    assert result['expected'].std() > 1e-3  # not a constant output that any graph would match


def test_exported_onnx_on_a_real_clip(tool, shared_data, tmp_path):
    """A checkpoint's model, exported, on the first view of a real video through the config's test pipeline:
    onnxruntime and PyTorch agree and give the same top class."""
    from mmaction_ext.apis import VideoSource, init_model, recognizer_batch
    from mmaction_ext.apis.export import ExportableRecognizer, run_exported
    model = init_model(VIDEO_FOCALNET_DEMO_CONFIG)
    checkpoint, out = str(tmp_path / 'focalnet.pth'), str(tmp_path / 'focalnet.onnx')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    tool.main([VIDEO_FOCALNET_DEMO_CONFIG, checkpoint, '--format', 'onnx', '--out', out])
    source = VideoSource(osp.join(shared_data, 'mmaction2_testdata', 'demo', 'demo.mp4'))
    views = recognizer_batch(model, source)['inputs'][0].float()
    with torch.no_grad():
        expected = ExportableRecognizer(model)(views[:1]).numpy()
    got = run_exported(out, 'onnx', views[:1])
    assert np.abs(got - expected).max() <= 1e-4 and got.argmax() == expected.argmax()


def test_the_check_fails_above_atol_and_bad_requests_are_named(tool, tmp_path, capsys):
    with pytest.raises(SystemExit) as status:  # ONNX's float rounding differs from PyTorch's by ~1e-8
        tool.main([R3D, 'none', '--format', 'onnx', '--out', str(tmp_path / 'r3d.onnx'), '--atol', '0'])
    assert status.value.code == 1 and 'differs from PyTorch by' in capsys.readouterr().err
    with pytest.raises(ValueError, match=r'a torch-export file ends in \.pt2'):
        tool.main([R3D, 'none', '--format', 'torch-export', '--out', str(tmp_path / 'r3d.onnx')])
    detector = osp.join(CONFIGS, 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py')
    with pytest.raises(ValueError, match='is not a recognizer'):
        tool.main([detector, 'none', '--format', 'onnx', '--out', str(tmp_path / 'csa.onnx')])


class Histogram(torch.nn.Module):
    def forward(self, video):
        return torch.histc(video, 4)


class DataDependentBranch(torch.nn.Module):
    def forward(self, video):
        return video * 2 if video.sum() > 0 else video


def test_an_operator_that_cannot_export_is_named(tmp_path):
    video = torch.rand(1, 3, 2, 4, 4)
    with pytest.raises(ValueError, match=r"onnx export failed at operator 'aten::histc' \[UnsupportedOperatorError\]"):
        export_model(Histogram(), video, str(tmp_path / 'h.onnx'), 'onnx')
    with pytest.raises(ValueError, match=r'torch-export export failed \(Could not guard on data-dependent'):
        export_model(DataDependentBranch(), video, str(tmp_path / 'b.pt2'), 'torch-export')
