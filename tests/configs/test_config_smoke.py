"""Every shipped config run as a user runs it (``tools/train.py`` then ``tools/test.py``), on a few samples written
in its dataset's real layout at the paths it names: one training iteration, one validation pass, the test set
(one video) through the config's own multi-view pipeline and evaluator. The model is shrunk by the smoke override
(``tests/helpers/config_smoke.py``); every shape-deciding setting stays.

After the training step: every parameter meant to train has a gradient, every frozen one has none and is
bit-identical after the run, and BatchNorm layers are in training mode exactly when their parameters train.
Files a config names are followed: pretrained weights are written from the shrunk model, ``load_from`` and
work-dir weights by running the config that writes them, FocusVideo's feature stores by running their producer's
extraction, text banks by ``tools/build_text_bank.py``.
"""
import copy
import glob
import os
import os.path as osp
import re
from contextlib import contextmanager

import pytest
import torch

from helpers import REPO_ROOT, load_tool
from helpers.config_smoke import _all_configs, smoke_config, unformatted_config_text, write_config_data

pytestmark = pytest.mark.slow
CONFIGS = _all_configs()
_RUNS = {}  # config path -> result of its smoke run in this session
NORM_TYPES = (torch.nn.modules.batchnorm._BatchNorm, )

# Parameters frozen by design (docs): the frozen CLIP of ST-Adapter / FocusVideo; CSA's ircsn stem and first two
# stages (the training code's TUNE_POINT). Everything else trains.
FROZEN = {
    'CLIPViT': r'^backbone\.visual\.',
    'FocusVideoCLIP': r'^backbone\.visual\.',
    'ResNet3dCSN': r'^backbone\.(conv1|layer1|layer2)\.',
}


@pytest.fixture(scope='module')
def smoke_root(tmp_path_factory):
    import mmaction_ext  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    return str(tmp_path_factory.mktemp('smoke'))


@contextmanager
def working_dir(path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def expected_frozen(cfg) -> str:
    backbone = cfg.model.get('backbone') or {}
    pattern = FROZEN.get(backbone.get('type'))
    if backbone.get('type') in ('CLIPViT', 'FocusVideoCLIP') and not backbone.get('frozen', True):
        return None
    return pattern


class _GradientRecorder:
    """Wraps the optimizer wrapper's ``step`` to record which parameters hold a gradient at the first step,
    and snapshots the frozen parameters before training."""

    def __init__(self):
        self.grads, self.frozen_before, self.norm_modes, self.model = None, {}, {}, None

    def attach(self, runner):
        from mmengine.hooks import Hook
        from mmengine.model import is_model_wrapper
        recorder = self

        class Record(Hook):
            priority = 'LOWEST'

            def before_train(self, runner):
                model = runner.model.module if is_model_wrapper(runner.model) else runner.model
                recorder.model = model
                step = runner.optim_wrapper.step

                def recording_step(*args, **kwargs):
                    if recorder.grads is None:  # the first step: model.train() has frozen what it freezes
                        recorder.frozen_before = {n: p.detach().clone() for n, p in model.named_parameters()
                                                  if not p.requires_grad}
                        recorder.grads = {n: (p.grad is not None and bool(torch.isfinite(p.grad).all()))
                                          for n, p in model.named_parameters() if p.requires_grad}
                        recorder.norm_modes = {n: (m.training, any(p.requires_grad for p in m.parameters()))
                                               for n, m in model.named_modules() if isinstance(m, NORM_TYPES)}
                    return step(*args, **kwargs)

                runner.optim_wrapper.step = recording_step

        runner.register_hook(Record())


def run_smoke(path: str, root: str, epochs=None) -> dict:
    """Run ``path`` once per session (train + test, or test for test-only configs); returns what it did."""
    key = (path, epochs)
    if key in _RUNS:
        return _RUNS[key]
    from mmengine.runner import Runner
    name = osp.basename(path)[:-3]
    with working_dir(root), unformatted_config_text():
        cfg = smoke_config(path, work_dir=osp.join('work_dirs', name))
        if epochs is not None:
            cfg.train_cfg.max_epochs = epochs
            cfg.train_cfg.val_interval = epochs
            cfg.param_scheduler = None
        write_config_data(cfg, root, lambda upstream, wanted: produce(upstream, wanted, root))
        recorder = _GradientRecorder()
        runner = Runner.from_cfg(copy.deepcopy(cfg))
        trains = cfg.get('train_dataloader') is not None
        if trains:
            recorder.attach(runner)
            runner.train()
        metrics = runner.test()
    result = dict(cfg=cfg, recorder=recorder, metrics=metrics, trains=trains, work_dir=osp.join(root, 'work_dirs', name))
    _RUNS[key] = result
    return result


def produce(upstream: str, wanted: str, root: str) -> None:
    """Make ``wanted`` as the docs say: the upstream config's run writes ``work_dirs/<name>/<file>`` (``epoch_N.pth``
    needs its N epochs); a feature store is the producer's extraction from its trained checkpoint."""
    match = re.search(r'epoch_(\d+)\.pth$', wanted)
    if wanted.endswith('.pth'):
        run_smoke(upstream, root, epochs=int(match.group(1)) if match else None)
        return
    run = run_smoke(upstream, root)
    checkpoint = max(glob.glob(osp.join(run['work_dir'], 'epoch_*.pth')),
                     key=lambda p: int(re.search(r'epoch_(\d+)', p).group(1)))
    name = osp.basename(upstream)[:-3]
    tool = load_tool('tools/extract_features.py')
    with working_dir(root):
        cfg = smoke_config(upstream, work_dir=osp.join('work_dirs', name))
        dumped = osp.join(root, 'work_dirs', name, 'smoke_config.py')
        cfg.dump(dumped)
        tool.main([dumped, checkpoint, wanted])


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_runs_as_a_user_runs_it(path, smoke_root):
    result = run_smoke(path, smoke_root)
    metrics = result['metrics']
    assert metrics, 'the test run produced no metrics'
    # the headline metric is a number (AVA's per-category-group means are NaN where one video has no such class)
    headline = [v for k, v in metrics.items() if k in ('acc/top1', 'mAP/overall') or k.startswith(('frame', 'video'))]
    assert headline and all(v == v for v in headline), metrics
    if not result['trains']:
        return
    recorder, cfg = result['recorder'], result['cfg']
    assert recorder.grads, 'no optimizer step was taken'
    # every parameter meant to train got a (finite) gradient at the first step
    missing = sorted(n for n, ok in recorder.grads.items() if not ok)
    assert not missing, f'{len(missing)} trainable parameters got no finite gradient: {missing[:10]}'
    model = recorder.model
    frozen = sorted(recorder.frozen_before)
    pattern = expected_frozen(cfg)
    if pattern is None:
        assert not frozen, f'parameters frozen though the docs freeze none: {frozen[:10]}'
    else:
        assert frozen and all(re.match(pattern, n) for n in frozen), [n for n in frozen if not re.match(pattern, n)]
        trainable = [n for n, p in model.named_parameters() if p.requires_grad]
        assert not [n for n in trainable if re.match(pattern, n)], 'parameters of the frozen part train'
    params = dict(model.named_parameters())
    changed = [n for n, before in recorder.frozen_before.items() if not torch.equal(params[n].detach(), before)]
    assert not changed, f'frozen parameters changed: {changed[:10]}'
    # BatchNorm: running statistics update exactly where the layer's parameters train
    wrong = [n for n, (training, trains) in recorder.norm_modes.items() if training != trains]
    assert not wrong, f'BatchNorm layers whose mode does not match their parameters: {wrong[:10]}'


# ------------------------------------------------------------------------------------------------ DDP
# The single-process smoke above already holds, for every config, that each trainable parameter gets a gradient
# (DDP's unused-parameter error). What DDP adds is the distributed machinery itself: gradient all-reduce through
# each module type, SyncBN, buffer broadcast, datasets and samplers under two ranks. So the configs run under DDP
# are a few that together use every module type, training dataset type and sampler type of the configs
# (a greedy set cover, preferring the small demo configs); switches that change only values (kernel sizes, fusion
# modes, ablations) are covered by the per-config gradient check.
WEIGHT_SOURCES = ('init_cfg', 'pretrained', 'checkpoint', 'text_bank', 'zero_shot_bank')


def distributed_features(path: str) -> set:
    """The module types of the config's model (weight sources left out) and its training dataset and sampler
    types; None for a config that does not train."""
    cfg = Config.fromfile(path)
    if cfg.get('train_dataloader') is None:
        return None
    found = {f'dataset:{cfg.train_dataloader.dataset.type}', f'sampler:{cfg.train_dataloader.sampler.type}'}

    def visit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'type':
                    found.add(str(value))
                elif key not in WEIGHT_SOURCES:
                    visit(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                visit(value)

    visit(cfg.model.to_dict())
    return found


def _ddp_configs():
    """A greedy set cover of every config's :func:`distributed_features`."""
    features = {path: distributed_features(path) for path in CONFIGS}
    features = {path: found for path, found in features.items() if found is not None}
    everything, covered, chosen = set().union(*features.values()), set(), []
    while covered != everything:
        best = max(sorted(features), key=lambda p: (len(features[p] - covered), 'motion-demo' in p))
        chosen.append(best)
        covered |= features[best]
    return sorted(chosen)


from mmengine.config import Config  # noqa: E402

DDP_CONFIGS = _ddp_configs()


@pytest.fixture(scope='module')
def ddp_results(smoke_root):
    """One ``torchrun --nproc_per_node 2`` over :data:`DDP_CONFIGS` (every module, dataset and sampler type)."""
    import json
    import subprocess
    import sys
    for path in DDP_CONFIGS:  # their data, banks, feature stores and upstream weights
        run_smoke(path, smoke_root)
    out = osp.join(smoke_root, 'ddp_results.json')
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    proc = subprocess.run([sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '2',
                           osp.join(REPO_ROOT, 'tests', 'helpers', 'ddp_smoke.py'), smoke_root, out, *DDP_CONFIGS],
                          cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=1800)
    print(''.join(line for line in proc.stdout.splitlines(True) if line.startswith('[')))  # seconds per config
    if not osp.isfile(out):
        pytest.fail(f'the distributed run wrote no results (exit {proc.returncode}):\n{proc.stdout[-4000:]}')
    with open(out) as f:
        return json.load(f)


@pytest.mark.parametrize('path', DDP_CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_trains_under_ddp_without_unused_parameters(path, ddp_results):
    assert path in ddp_results, 'the distributed run stopped before this config'
    assert ddp_results[path] == 'ok', ddp_results[path]
