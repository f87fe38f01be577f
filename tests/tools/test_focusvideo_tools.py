"""FocusVideo end to end: a tiny random CLIP file from the repo's tool, offline targets from
tools/extract_features.py, then tools/train.py and tools/test.py on the tiny FocusVideo config."""
import json
import os.path as osp
import re

import numpy as np
import pytest

from helpers import REPO_ROOT, load_tool, run_tool, tiny_demo_options

CONFIGS = osp.join(REPO_ROOT, 'configs', 'focusvideo')
BASELINE = osp.join(CONFIGS, 'st-adapter_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py')
FOCUSVIDEO = osp.join(CONFIGS, 'focusvideo_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py')


@pytest.fixture(scope='module')
def tiny_clip_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp('clip') / 'tiny_clip.pth')
    made = run_tool(['tools/misc/make_tiny_clip.py', path])
    assert made.returncode == 0 and 'wrote a random CLIP tiny' in made.stdout, made.stdout[-2000:]
    return path


_tool = load_tool


@pytest.fixture(scope='module')
def feature_store(tiny_clip_file, tiny_motion_demo, tmp_path_factory):
    """Offline targets of the tiny demo's training videos from the frozen tiny CLIP (checkpoint 'none')."""
    out = str(tmp_path_factory.mktemp('targets') / 'store')
    options = tiny_demo_options(tiny_motion_demo, config=BASELINE) + [f'model.backbone.pretrained={tiny_clip_file}']
    result = run_tool(['tools/extract_features.py', BASELINE, 'none', out, '--cfg-options', *options])
    assert result.returncode == 0, result.stdout[-4000:]
    assert 'features of 16 videos (384 frames, dim 64)' in result.stdout and 'extracting' in result.stdout
    return out


def test_feature_store_layout_and_resume(feature_store, tiny_clip_file, tiny_motion_demo, capsys):
    with open(osp.join(feature_store, 'index.json')) as f:
        index = json.load(f)
    assert index['dim'] == 64 and len(index['videos']) == 16
    assert index['frame_interval'] == ['fixed', 2]  # the baseline config trains on SampleFrames(8, frame_interval=2)
    assert all(done and count == 24 for _, count, done in index['videos'].values())
    offsets = sorted(offset for offset, _, _ in index['videos'].values())
    assert offsets == list(range(0, 16 * 24, 24))
    features = np.load(osp.join(feature_store, 'features.npy'), mmap_mode='r')
    assert features.shape == (384, 64) and np.isfinite(features).all() and np.abs(features).sum(1).min() > 0
    # A rerun after an interruption (two videos marked unwritten and zeroed) writes exactly those again.
    keys = sorted(index['videos'])[:2]
    for key in keys:
        index['videos'][key][2] = False
    with open(osp.join(feature_store, 'index.json'), 'w') as f:
        json.dump(index, f)
    writable = np.load(osp.join(feature_store, 'features.npy'), mmap_mode='r+')
    expected = np.array(writable)
    for key in keys:
        offset = index['videos'][key][0]
        writable[offset:offset + 24] = 0
    writable.flush()
    options = tiny_demo_options(tiny_motion_demo, config=BASELINE) + [f'model.backbone.pretrained={tiny_clip_file}']
    _tool('tools/extract_features.py').main([BASELINE, 'none', feature_store, '--cfg-options', *options])
    assert 'resuming: 14 of 16 videos already written' in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(osp.join(feature_store, 'features.npy')), expected)


def test_train_then_multiview_test_tiny_focusvideo(feature_store, tiny_clip_file, tiny_motion_demo, tmp_path):
    work_dir = str(tmp_path)
    options = tiny_demo_options(tiny_motion_demo, epochs=1, config=BASELINE) + [
        f'model.backbone.pretrained={tiny_clip_file}',
        f'train_dataloader.dataset.pipeline.1.feature_dir={feature_store}']
    trained = run_tool(['tools/train.py', FOCUSVIDEO, '--work-dir', work_dir, '--cfg-options', *options])
    assert trained.returncode == 0, trained.stdout[-4000:]
    assert 'VisionTransformer: loaded' in trained.stdout and 'FocusVideoCLIP' in trained.stdout
    assert re.search(r'loss_recon: \d', trained.stdout) and 'Epoch(val) [1]' in trained.stdout
    tested = run_tool(['tools/test.py', FOCUSVIDEO, osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir,
                       '--cfg-options', *options])
    assert tested.returncode == 0, tested.stdout[-4000:]
    assert re.search(r'acc/top1\s+[\d.]+', tested.stdout.split('Test results of')[-1])



def test_query_attention_pictures(tiny_clip_file, tiny_motion_demo, tmp_path):
    """Fig. 5's maps on a demo clip: rows are probability distributions over the patches (class token's key
    left out, so each sums to at most 1), and the PNG is written."""
    import glob
    tool = _tool('tools/analysis/focusvideo_query_attention.py')
    video = sorted(glob.glob(osp.join(tiny_motion_demo, 'videos', 'val', '*.mp4')))[0]
    out = str(tmp_path / 'attention.png')
    maps = tool.main([FOCUSVIDEO, 'none', video, out, '--queries', '0', '5',
                      '--cfg-options', f'model.backbone.pretrained={tiny_clip_file}'])
    assert maps.shape == (8, 9, 5, 5)  # 8 frames, class token + 8 queries, 5x5 patches at 80 px
    sums = maps.flatten(2).sum(-1)
    assert (sums > 0).all() and (sums <= 1 + 1e-5).all()
    assert osp.getsize(out) > 10000
    with pytest.raises(ValueError, match=r'--queries \[9\] outside the 8 queries'):
        tool.main([FOCUSVIDEO, 'none', video, out, '--queries', '9'])


@pytest.mark.parametrize('count,window,interval', [(24, 8, 2), (24, 8, 1), (130, 8, 16), (5, 8, 2), (17, 4, 3)])
def test_windows_follow_the_training_interval(count, window, interval):
    """Every frame is extracted once, in a window of frames ``interval`` apart (as the target model saw them)."""
    strided_windows = _tool('tools/extract_features.py').strided_windows
    kept = []
    for indices, keep in strided_windows(count, window, interval):
        assert len(indices) <= window and all(b - a == interval for a, b in zip(indices, indices[1:]))
        assert len(indices) == window or len(indices) == len(range(indices[0] % interval, count, interval))
        kept += indices[len(indices) - keep:]
    assert sorted(kept) == list(range(count))


def test_frame_interval_changes_the_targets(tiny_clip_file, tiny_motion_demo, tmp_path):
    """Consecutive windows (interval 1) give other features than the training interval (2): a trained model's
    adapters mix neighbouring frames (here adapters with random weights, saved as a checkpoint)."""
    import torch

    from mmaction_ext.engine import build_model, load_config
    options = tiny_demo_options(tiny_motion_demo, config=BASELINE) + [f'model.backbone.pretrained={tiny_clip_file}']
    from mmengine.config import DictAction
    cfg = load_config(BASELINE, {k: DictAction._parse_iterable(v) for k, v in (o.split('=', 1) for o in options)})
    model = build_model(cfg)
    torch.manual_seed(0)
    for name, param in model.named_parameters():
        if 'adapters' in name:
            param.data.normal_(0, 0.5)
    checkpoint = str(tmp_path / 'trained.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    extract = _tool('tools/extract_features.py').main
    stores = []
    for interval in ('auto', '1'):
        out = str(tmp_path / f'store_{interval}')
        extract([BASELINE, checkpoint, out, '--frame-interval', interval, '--cfg-options', *options])
        stores.append(np.load(osp.join(out, 'features.npy')))
    strided, consecutive = stores
    assert strided.shape == consecutive.shape and not np.allclose(strided, consecutive, atol=1e-3)
    with pytest.raises(ValueError, match='frame-interval'):
        extract([BASELINE, 'none', str(tmp_path / 'x'), '--frame-interval', 'x'])
