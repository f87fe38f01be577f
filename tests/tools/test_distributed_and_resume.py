"""Distributed training with 2 CPU processes, and exact resumption after kill -9."""
import glob
import os
import os.path as osp
import signal
import socket
import subprocess
import sys
import time

import pytest

from helpers import DEMO_CONFIG, REPO_ROOT, logged_losses, run_tool, tiny_demo_options


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist_train(work_dir, data_root, epochs, *extra):
    env = dict(os.environ, PORT=str(_free_port()), PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    return subprocess.run(
        ['bash', 'tools/dist_train.sh', DEMO_CONFIG, '2', '--work-dir', work_dir, *extra, '--cfg-options',
         *tiny_demo_options(data_root, epochs=epochs)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=900)


def test_dist_train_two_cpu_processes_then_resume(tiny_motion_demo, tmp_path):
    work_dir = str(tmp_path)
    first = _dist_train(work_dir, tiny_motion_demo, 1)
    assert first.returncode == 0, first.stdout[-5000:]  # torchrun fails if any rank fails
    assert 'Distributed training is not used' not in first.stdout
    assert "'backend': 'gloo'" in first.stdout or 'gloo' in first.stdout
    # 16 training clips over 2 ranks with batch 4: 2 iterations per epoch on each rank.
    assert 'Epoch(train) [1][2/2]' in first.stdout
    assert first.stdout.count('Saving checkpoint at 1 epochs') == 1  # written once, by rank 0
    assert sorted(osp.basename(p) for p in glob.glob(osp.join(work_dir, 'epoch_*.pth'))) == ['epoch_1.pth']

    resumed = _dist_train(work_dir, tiny_motion_demo, 2, '--resume')
    assert resumed.returncode == 0, resumed.stdout[-5000:]
    assert 'resumed epoch: 1' in resumed.stdout
    assert 'Epoch(train) [1]' not in resumed.stdout and 'Epoch(train) [2][2/2]' in resumed.stdout
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def test_kill_9_then_resume_repeats_the_uninterrupted_losses(tiny_motion_demo, tmp_path):
    epochs = 3
    # Batch 2: 8 iterations per epoch, so that the kill lands inside epoch 3.
    options = tiny_demo_options(tiny_motion_demo, epochs=epochs) + ['train_dataloader.batch_size=2']
    reference_dir, crashed_dir = str(tmp_path / 'reference'), str(tmp_path / 'crashed')
    reference = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', reference_dir, '--cfg-options', *options])
    assert reference.returncode == 0, reference.stdout[-4000:]

    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    process = subprocess.Popen([sys.executable, 'tools/train.py', DEMO_CONFIG, '--work-dir', crashed_dir,
                                '--cfg-options', *options], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    # mmengine names a checkpoint in last_checkpoint once it is fully written: kill right after.
    marker = osp.join(crashed_dir, 'last_checkpoint')
    deadline = time.time() + 600
    while process.poll() is None:
        assert time.time() < deadline, 'training never reached epoch 2'
        if osp.isfile(marker) and open(marker).read().strip().endswith('epoch_2.pth'):
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, 'the run finished before it could be killed'
    assert not osp.isfile(osp.join(crashed_dir, f'epoch_{epochs}.pth'))

    resumed = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', crashed_dir, '--resume', '--cfg-options',
                        *options])
    assert resumed.returncode == 0, resumed.stdout[-4000:]
    assert 'resumed epoch: 2' in resumed.stdout

    expected, got = logged_losses(reference_dir), logged_losses(crashed_dir)
    last_epoch = {step: loss for step, loss in expected.items() if step[0] == epochs}
    assert last_epoch, expected
    for step, loss in last_epoch.items():
        assert got[step] == pytest.approx(loss, rel=1e-6, abs=1e-7), step
