"""The tiny CSA configs train and test end to end through tools/train.py and tools/test.py on generated
motion-demo detection data, in both flavours: ACT tubes (FrameMAP / VideoMAP) and AVA keyframes (MMAction2's
AVADataset and AVAMetric). With the ground truth put in the matched predictions (``oracle='both'``) the
metrics must give 100: the output format is what the evaluators read."""
import os.path as osp
import re


from helpers import run_tool
from helpers.csa import CSA_AVA_CONFIG, CSA_TUBE_CONFIG, csa_demo_options


def _train(config, root, flavour, work_dir):
    result = run_tool(['tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
                       *csa_demo_options(root, flavour)])
    assert result.returncode == 0, result.stdout[-4000:]
    assert 'loss_cls' in result.stdout and 'loss_giou' in result.stdout and 'loss_conf' in result.stdout
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth'))
    return osp.join(work_dir, 'epoch_1.pth')


def _test(config, checkpoint, root, flavour, work_dir, *extra):
    result = run_tool(['tools/test.py', config, checkpoint, '--work-dir', work_dir, '--cfg-options',
                       *csa_demo_options(root, flavour), *extra])
    assert result.returncode == 0, result.stdout[-4000:]
    summary = result.stdout.split('Epoch(test)')[-1]
    return {name: float(value) for name, value in re.findall(r'([\w/]+@?[\d.:]*):\s+(nan|[\d.]+)', summary)}


def test_tube_flavour_trains_and_tests(detection_demo_frames, tmp_path):
    checkpoint = _train(CSA_TUBE_CONFIG, detection_demo_frames, 'tube', str(tmp_path / 'train'))
    metrics = _test(CSA_TUBE_CONFIG, checkpoint, detection_demo_frames, 'tube', str(tmp_path / 'test'))
    assert {'frame_mAP@0.5', 'video_mAP@0.5', 'video_mAP@0.5:0.95'} <= set(metrics)
    oracle = _test(CSA_TUBE_CONFIG, checkpoint, detection_demo_frames, 'tube', str(tmp_path / 'oracle'),
                   'model.test_cfg.oracle=both')
    assert oracle['frame_mAP@0.5'] == 100.0


def test_ava_flavour_trains_and_tests(detection_demo_frames, tmp_path):
    checkpoint = _train(CSA_AVA_CONFIG, detection_demo_frames, 'ava', str(tmp_path / 'train'))
    metrics = _test(CSA_AVA_CONFIG, checkpoint, detection_demo_frames, 'ava', str(tmp_path / 'test'))
    assert 'mAP/overall' in metrics
    oracle = _test(CSA_AVA_CONFIG, checkpoint, detection_demo_frames, 'ava', str(tmp_path / 'oracle'),
                   'model.test_cfg.oracle=both')
    assert oracle['mAP/overall'] == 1.0  # AVAMetric reports a fraction
