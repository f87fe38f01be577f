"""mmengine's checkpoint loading on torch >= 2.6 goes through the safe loader (open-mmlab/mmengine#1655)."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import CheckpointLoader, load_checkpoint

from helpers import RunsCode
from mmaction_ext.fileio import CorruptCheckpointError, UnsafeCheckpointError


def runner_style_checkpoint(path):
    """What mmengine's Runner.save_checkpoint writes: message hub with HistoryBuffers, numpy scalars."""
    hub = MessageHub('test_ckpt_hub')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 0.25)
    hub.update_info('iter', 7)
    model = torch.nn.Linear(3, 2)
    checkpoint = dict(
        meta=dict(epoch=3, iter=7, seed=np.int64(0), cfg='model = dict()', mmengine_version='0.10.7',
                  dataset_meta=dict(classes=('a', 'b'))),
        state_dict=model.state_dict(),
        message_hub=hub.state_dict(),
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9).state_dict(),
        rng=np.random.RandomState(0).get_state())
    torch.save(checkpoint, path)
    return checkpoint


def test_stock_torch_load_rejects_runner_checkpoints(tmp_path):
    """The upstream breakage this fix exists for (if it passes some day, the fix can go)."""
    path = str(tmp_path / 'runner.pth')
    runner_style_checkpoint(path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_runner_checkpoint_loads_through_mmengine(tmp_path):
    path = str(tmp_path / 'runner.pth')
    expected = runner_style_checkpoint(path)
    loaded = CheckpointLoader.load_checkpoint(path, map_location='cpu')
    assert loaded['meta']['epoch'] == 3 and loaded['meta']['seed'] == 0
    hub = MessageHub('restored')
    hub.load_state_dict(loaded['message_hub'])
    buffer = hub.get_scalar('train/loss')
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(0.375) and buffer.current() == 0.25
    for key, value in expected['state_dict'].items():
        assert torch.equal(loaded['state_dict'][key], value)
    assert loaded['rng'][1].dtype == np.uint32 and (loaded['rng'][1] == expected['rng'][1]).all()


def test_load_checkpoint_into_model(tmp_path):
    path = str(tmp_path / 'runner.pth')
    expected = runner_style_checkpoint(path)
    model = torch.nn.Linear(3, 2)
    load_checkpoint(model, path, map_location='cpu')
    assert torch.equal(model.weight, expected['state_dict']['weight'])


def test_malicious_pickle_is_refused_and_named(tmp_path):
    marker = tmp_path / 'pwned'
    path = str(tmp_path / 'evil.pth')
    torch.save({'state_dict': {}, 'payload': RunsCode(marker)}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        CheckpointLoader.load_checkpoint(path)
    message = str(info.value)
    assert path in message
    assert 'posix.system' in message or 'os.system' in message
    assert not marker.exists(), 'the payload ran'


@pytest.mark.parametrize('damage', ['truncate', 'garbage', 'empty'])
def test_corrupt_checkpoint_names_the_file(tmp_path, damage):
    path = str(tmp_path / f'{damage}.pth')
    runner_style_checkpoint(path)
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write({'truncate': data[:len(data) // 2], 'garbage': b'not a checkpoint' * 10, 'empty': b''}[damage])
    with pytest.raises(CorruptCheckpointError) as info:
        CheckpointLoader.load_checkpoint(path)
    assert path in str(info.value) and 'truncated, corrupt or not a torch checkpoint' in str(info.value)


def test_missing_checkpoint_names_the_file(tmp_path):
    path = str(tmp_path / 'nope.pth')
    with pytest.raises(FileNotFoundError, match=r'nope\.pth'):
        CheckpointLoader.load_checkpoint(path)
