"""Every training config's optimizer and schedulers, stepped as mmengine's runner steps them, give the learning rate
and weight decay of the recipe tables in ``docs/<paper>.md`` ("Schedules"), for each parameter group, at every
epoch.

A table row names configs (a glob on the config name) and the recipe in a fixed vocabulary:

- ``lr``: the base learning rate;
- ``groups``: ``backbone 0.1, neck 0.1`` (parameters whose names start with ``backbone.`` / ``neck.`` train at that
  multiple; the rest at 1) or ``-``;
- ``weight decay``: ``0.05``, ``0.05, 1-D 0`` (biases and norms, every 1-D parameter, without decay), or ``0``;
- ``warm-up``: ``-``, ``linear from 0.01x over 5`` (a start factor of the group's lr) or ``linear from 2e-6 over 4``
  (an absolute start for every group), in epochs;
- ``decay``: ``step 0.1 at 8, 11`` (absolute epochs), ``cosine to 1e-6`` (from the end of the warm-up to the last
  epoch) or ``cosine over the run to 1e-6`` (timm's: over all epochs, the warm-up laid over its start);
- ``epochs``.

The expected values are the closed forms of those words (the official schedulers' formulas), not mmengine's.
During the warm-up they may differ by up to 7% of the lr (mmengine's chained linear warm-up against timm's
overlay, docs/video_focalnet.md); after it, by 0.1%. Warm-ups are linear in iterations and reach the lr at their
last iteration, as mmengine's (the official schedulers one iteration later).
"""
import fnmatch
import math
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config

from helpers import REPO_ROOT
from helpers.config_smoke import _all_configs, shrink_model

DOCS = ('video_focalnet', 'emim', 'focusvideo', 'art', 'csa', 'demo_data')
ITERS_PER_EPOCH = 5
TRAINING = [p for p in _all_configs() if Config.fromfile(p).get('train_dataloader') is not None]


def recipe_rows():
    """``{glob: row dict}`` from every docs file's "Schedules" table."""
    rows = {}
    for doc in DOCS:
        text = open(osp.join(REPO_ROOT, 'docs', f'{doc}.md')).read()
        section = text.split('## Schedules', 1)
        if len(section) < 2:
            continue
        for line in section[1].split('\n## ', 1)[0].splitlines():
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if len(cells) != 7 or not cells[0].startswith('`'):
                continue
            pattern, lr, groups, decay_wd, warmup, decay, epochs = cells
            rows[pattern.strip('`')] = dict(doc=doc, lr=float(lr), groups=groups, weight_decay=decay_wd,
                                            warmup=warmup, decay=decay, epochs=int(epochs))
    return rows


ROWS = recipe_rows()


def row_of(path):
    name = osp.basename(path)[:-3]
    matches = [pattern for pattern in ROWS if fnmatch.fnmatchcase(name, pattern)]
    assert len(matches) == 1, f'{name}: {len(matches)} rows of the docs\' "Schedules" tables match it: {matches}'
    return ROWS[matches[0]]


def parse_groups(text):
    if text == '-':
        return {}
    return {name: float(mult) for name, mult in (item.split() for item in text.split(','))}


def expected_lr(row, mult, t):
    """The recipe's lr at ``t`` epochs (a float) for a group at ``mult`` times the base lr."""
    base, epochs = row['lr'] * mult, row['epochs']
    warm = re.fullmatch(r'linear from ([\d.e-]+)(x?) over (\d+)', row['warmup'])
    warm_epochs = int(warm.group(3)) if warm else 0
    decay = row['decay']
    step = re.fullmatch(r'step ([\d.]+) at ([\d, ]+)', decay)
    cosine = re.fullmatch(r'cosine (over the run )?to ([\d.e-]+)(x?)', decay)
    if step:
        value = base * float(step.group(1)) ** sum(t >= int(m) for m in step.group(2).split(','))
    elif cosine:
        floor = float(cosine.group(2)) * (base if cosine.group(3) else 1)
        start = 0 if cosine.group(1) else warm_epochs
        value = floor + 0.5 * (base - floor) * (1 + math.cos(math.pi * max(t - start, 0) / (epochs - start)))
    else:
        raise ValueError(f'unknown decay {decay!r}')
    if warm and t < warm_epochs:
        # linear in iterations, reaching the lr at the warm-up's last iteration (mmengine's LinearLR; the official
        # schedulers reach it one iteration later: nothing at real iteration counts)
        start_lr = float(warm.group(1)) * (base if warm.group(2) else 1)
        progress = min(1.0, round(t * ITERS_PER_EPOCH) / (warm_epochs * ITERS_PER_EPOCH - 1))
        return start_lr + (base - start_lr) * progress
    return value


def build(path):
    from mmaction.registry import MODELS
    from mmengine.optim import build_optim_wrapper
    from mmaction.registry import PARAM_SCHEDULERS
    cfg = Config.fromfile(path)
    shrink_model(cfg.model)
    for key in ('text_bank', 'zero_shot_bank'):
        if cfg.model.get('cls_head', {}).get(key):
            cfg.model.cls_head[key] = None
    if cfg.model.get('cls_head', {}).get('type') == 'ARTHead':
        cfg.model.cls_head.allow_random_bank = True
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    schedulers = []
    for item in cfg.param_scheduler:
        item = dict(item)
        kind = PARAM_SCHEDULERS.get(item.pop('type'))
        if item.pop('convert_to_iter_based', False):
            schedulers.append(kind.build_iter_from_epoch(wrapper, epoch_length=ITERS_PER_EPOCH, **item))
        else:
            schedulers.append(kind(wrapper, **item))
    return cfg, model, wrapper, schedulers


def group_of(wrapper, param):
    return next(g for g in wrapper.optimizer.param_groups if any(p is param for p in g['params']))


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    import mmaction_ext  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


@pytest.mark.filterwarnings('ignore:Detected call of `scheduler.step\\(\\)` before `optimizer.step\\(\\)`')
@pytest.mark.parametrize('path', TRAINING, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_schedule_steps_as_the_recipe_table_says(path):
    row = row_of(path)
    cfg, model, wrapper, schedulers = build(path)
    assert cfg.train_cfg.max_epochs == row['epochs']
    named = dict(model.named_parameters())
    trainable = {n: p for n, p in named.items() if p.requires_grad}
    groups = parse_groups(row['groups'])
    probes = {'rest': (next(n for n in trainable if not any(n.startswith(g + '.') for g in groups)), 1.0)}
    for name, mult in groups.items():
        probes[name] = (next(n for n in trainable if n.startswith(name + '.')), mult)
    # weight decay of a matrix / kernel, a bias and a norm weight
    wd = row['weight_decay']
    value = float(wd.split(',')[0])
    exempt = '1-D 0' in wd
    matrix = next(n for n, p in trainable.items() if p.dim() > 1)
    assert group_of(wrapper, named[matrix])['weight_decay'] == pytest.approx(value), matrix
    for n, p in trainable.items():
        if p.dim() == 1:
            assert group_of(wrapper, p)['weight_decay'] == pytest.approx(0 if exempt else value), n
    # step through the run as mmengine's ParamSchedulerHook does (iteration-based after each iteration, epoch-based
    # after each epoch) and read each probe's lr at every epoch
    for epoch in range(row['epochs']):
        for it in range(ITERS_PER_EPOCH):
            t = epoch + it / ITERS_PER_EPOCH
            if it == 0 or epoch == 0:
                for probe, (name, mult) in probes.items():
                    lr = group_of(wrapper, named[name])['lr']
                    want = expected_lr(row, mult, t)
                    warm = re.search(r'over (\d+)', row['warmup'])
                    tol = 0.07 if warm and t < int(warm.group(1)) else 1e-3
                    assert lr == pytest.approx(want, rel=tol, abs=1e-12), \
                        f'{probe} ({name}) at epoch {t:.2f}: lr {lr:.4g}, the recipe says {want:.4g}'
            for scheduler in schedulers:  # (no optimizer step: the lr does not depend on it)
                if not scheduler.by_epoch:
                    scheduler.step()
        for scheduler in schedulers:
            if scheduler.by_epoch:
                scheduler.step()


def test_every_recipe_row_names_a_config():
    names = [osp.basename(p)[:-3] for p in TRAINING]
    unused = [pattern for pattern in ROWS if not any(fnmatch.fnmatchcase(n, pattern) for n in names)]
    assert not unused, f'rows of the "Schedules" tables that match no config: {unused}'
