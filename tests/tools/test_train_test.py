"""tools/train.py and tools/test.py end to end on the tiny motion demo (CPU)."""
import os.path as osp
import pickle

import pytest
import torch

from helpers import DEMO_CONFIG, VIDEO_FOCALNET_DEMO_CONFIG, run_tool, tiny_demo_options


@pytest.fixture(scope='module')
def trained(tiny_motion_demo, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('train'))
    result = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', work_dir, '--cfg-options',
                       *tiny_demo_options(tiny_motion_demo, epochs=2)])
    assert result.returncode == 0, result.stdout[-4000:]
    return work_dir, result.stdout


def test_train_writes_checkpoints_and_validates(trained):
    work_dir, log = trained
    assert osp.isfile(osp.join(work_dir, 'epoch_1.pth')) and osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    assert 'Epoch(val) [2]' in log and 'acc/top1' in log and 'acc/mean1' in log
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        assert f.read().strip().endswith('epoch_2.pth')


def test_multiview_test_prints_accuracies_and_dumps_averaged_probabilities(trained, tiny_motion_demo, tmp_path):
    work_dir, _ = trained
    dump = str(tmp_path / 'preds.pkl')
    result = run_tool(['tools/test.py', DEMO_CONFIG, osp.join(work_dir, 'epoch_2.pth'), '--work-dir',
                       str(tmp_path), '--dump', dump, '--cfg-options', *tiny_demo_options(tiny_motion_demo)])
    assert result.returncode == 0, result.stdout[-4000:]
    assert 'Test results of' in result.stdout
    for key in ('acc/top1', 'acc/mean1'):
        assert key in result.stdout.split('Test results of')[-1]
    with open(dump, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 8  # 4 classes x 2 val clips
    for sample in predictions:
        score = torch.as_tensor(sample['pred_score'])
        assert score.shape == (4, )
        # average_clips='prob': the mean of per-view softmaxes is itself a distribution.
        assert float(score.sum()) == pytest.approx(1.0, abs=1e-5) and float(score.min()) >= 0


def test_multiview_score_is_the_mean_of_per_view_softmaxes(trained, tiny_motion_demo):
    """Recompute one test sample view by view and compare with the recognizer's averaged score."""
    from mmengine.config import Config
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    import mmaction_ext  # noqa: F401
    from mmaction.registry import MODELS
    init_default_scope('mmaction')
    work_dir, _ = trained
    cfg = Config.fromfile(DEMO_CONFIG)
    cfg.model.cls_head.num_classes = 4
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, osp.join(work_dir, 'epoch_2.pth'), map_location='cpu')
    pipeline = Compose(cfg.test_pipeline)
    with open(osp.join(tiny_motion_demo, 'val_list.txt')) as f:
        relpath, label = f.readline().split()
    sample = pipeline(dict(filename=osp.join(tiny_motion_demo, relpath), label=int(label), start_index=0,
                           modality='RGB'))
    batch = pseudo_collate([sample])
    with torch.no_grad():
        averaged = model.test_step(batch)[0].pred_score
        inputs = model.data_preprocessor(batch, False)['inputs'][0]  # (views, C, T, H, W)
        assert inputs.shape[0] == 3 * 3, 'expected 3 clips x 3 crops'
        logits = model.cls_head(model.backbone(inputs))
        expected = logits.softmax(-1).mean(0)
    # Views are ordered crop-major: 0 and 1 are two clips of one crop, 0 and 3 one clip of two crops.
    assert not torch.equal(inputs[0], inputs[1]) and not torch.equal(inputs[0], inputs[3]), 'views are identical'
    assert torch.allclose(averaged, expected, atol=1e-6)


def test_unknown_module_type_names_type_and_registry(tiny_motion_demo, tmp_path):
    result = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                       *tiny_demo_options(tiny_motion_demo), 'model.backbone.type=NoSuchBackbone'])
    assert result.returncode == 1
    assert 'NoSuchBackbone' in result.stdout and 'mmaction::model registry' in result.stdout
    assert 'Traceback' not in result.stdout


def test_misspelled_config_key_is_one_line_with_the_closest_name(tiny_motion_demo, tmp_path):
    result = run_tool(['tools/train.py', VIDEO_FOCALNET_DEMO_CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                       *tiny_demo_options(tiny_motion_demo), 'model.backbone.num_frame=8'])
    assert result.returncode == 1
    assert ("error: config: VideoFocalNet (mmaction_ext.models.backbones.video_focalnet): unknown argument "
            "'num_frame'; did you mean 'num_frames'? (valid: arch, drop_path_rate, ") in result.stdout
    assert 'Traceback' not in result.stdout


def test_resume_from_corrupt_checkpoint_names_the_file(tiny_motion_demo, tmp_path):
    corrupt = tmp_path / 'corrupt.pth'
    corrupt.write_bytes(b'PK\x03\x04 definitely not a checkpoint')
    result = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path), '--resume', str(corrupt),
                       '--cfg-options', *tiny_demo_options(tiny_motion_demo)])
    assert result.returncode == 1
    assert str(corrupt) in result.stdout and 'CorruptCheckpointError' in result.stdout
    assert 'truncated, corrupt or not a torch checkpoint' in result.stdout and 'Traceback' not in result.stdout


def test_missing_video_in_annotations_names_the_file(tiny_motion_demo, tmp_path):
    ann = tmp_path / 'train_list.txt'
    ann.write_text('videos/train/not_there.mp4 0\n')
    result = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path), '--cfg-options',
                       *tiny_demo_options(tiny_motion_demo), f'train_dataloader.dataset.ann_file={ann}'])
    assert result.returncode == 1
    assert 'not_there.mp4' in result.stdout and 'FileNotFoundError' in result.stdout


def test_missing_config_names_the_file(tmp_path):
    result = run_tool(['tools/train.py', str(tmp_path / 'nope.py')])
    assert result.returncode == 1 and 'nope.py' in result.stdout
