"""tools/train.py and tools/test.py run the tiny Video-FocalNet config end to end on CPU."""
import os.path as osp

from conftest import VIDEO_FOCALNET_DEMO_CONFIG, run_tool, tiny_demo_options


def test_train_then_multiview_test_tiny_video_focalnet(tiny_motion_demo, tmp_path):
    work_dir = str(tmp_path)
    options = tiny_demo_options(tiny_motion_demo, epochs=1)
    trained = run_tool(['tools/train.py', VIDEO_FOCALNET_DEMO_CONFIG, '--work-dir', work_dir, '--cfg-options',
                        *options])
    assert trained.returncode == 0, trained.stdout[-4000:]
    assert 'VideoFocalNet' in trained.stdout and 'Epoch(val) [1]' in trained.stdout
    checkpoint = osp.join(work_dir, 'epoch_1.pth')
    tested = run_tool(['tools/test.py', VIDEO_FOCALNET_DEMO_CONFIG, checkpoint, '--work-dir', work_dir,
                       '--cfg-options', *options])
    assert tested.returncode == 0, tested.stdout[-4000:]
    summary = tested.stdout.split('Test results of')[-1]
    assert 'acc/top1' in summary and 'acc/mean1' in summary
