"""tools/test.py evaluates a tube-detection config (demo detection data, OracleTubeDetector) with
FrameMAP and VideoMAP."""
import re

from helpers import run_tool

CONFIG = 'configs/detection_eval/oracle-tube_16x1x1_motion-demo.py'


def _options(root):
    return ['--cfg-options', f'test_dataloader.dataset.ann_file={root}/motion_demo-GT.pkl',
            f'test_dataloader.dataset.data_prefix.video={root}/videos', 'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False', f'test_evaluator.0.ann_file={root}/motion_demo-GT.pkl',
            f'test_evaluator.1.ann_file={root}/motion_demo-GT.pkl',
            # A demo actor may repeat its action after a 2-frame pause: two ground-truth tubes, which the
            # default linking (max_gap=4) rightly bridges for a detector that misses 2 frames. Exact
            # predictions only reproduce the ground truth without bridging.
            'test_evaluator.1.link_options.max_gap=0']


def _metrics(output):
    summary = output.split('Test results of')[-1]
    return {name: float(value) for name, value in re.findall(r'(\w+_mAP@[\d.:]+)\s+([\d.]+)', summary)}


def test_oracle_predictions_score_100(tiny_detection_demo, tmp_path):
    result = run_tool(['tools/test.py', CONFIG, 'none', '--work-dir', str(tmp_path), *_options(tiny_detection_demo)])
    assert result.returncode == 0, result.stdout[-3000:]
    metrics = _metrics(result.stdout)
    assert set(metrics) == {'frame_mAP@0.5', 'video_mAP@0.2', 'video_mAP@0.5', 'video_mAP@0.75', 'video_mAP@0.5:0.95'}
    assert all(value == 100.0 for value in metrics.values()), metrics


def test_shifted_oracle_gives_the_known_drop(tiny_detection_demo, tmp_path):
    # Boxes shifted by 30% of their width: IoU 0.7 / 1.3 = 0.54 in every frame.
    result = run_tool(['tools/test.py', CONFIG, 'none', '--work-dir', str(tmp_path), *_options(tiny_detection_demo),
                       'model.box_shift=0.3'])
    assert result.returncode == 0, result.stdout[-3000:]
    metrics = _metrics(result.stdout)
    assert metrics['frame_mAP@0.5'] == 100.0 and metrics['video_mAP@0.5'] == 100.0
    assert metrics['video_mAP@0.75'] == 0.0
    assert metrics['video_mAP@0.5:0.95'] == 10.0  # only threshold 0.5 of ten passes


def test_ucf24_conversion_tool_output_is_read_by_the_dataset(shared_data, tmp_path):
    import os.path as osp

    from mmaction_ext.datasets import UCF24TubeDataset
    folder = osp.join(shared_data, 'ucf101_24_corrected_annots')
    out = str(tmp_path / 'UCF101v2-GT.pkl')
    result = run_tool(['tools/data/convert_ucf24_annotations.py', osp.join(folder, 'pyannot_with_class_names.pkl'),
                       osp.join(folder, 'testlist01.txt'), out])
    assert result.returncode == 0, result.stdout[-3000:]
    assert '24 classes, 3194 videos' in result.stdout and '2284 train / 910 test videos' in result.stdout
    assert len(UCF24TubeDataset(out, [], data_prefix=dict(img='x'), test_mode=True)) > 910
    missing = run_tool(['tools/data/convert_ucf24_annotations.py', str(tmp_path / 'nope.pkl'), 'x', out])
    assert missing.returncode == 1 and 'nope.pkl' in missing.stdout and 'Traceback' not in missing.stdout
