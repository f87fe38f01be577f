"""Learning cases: train and multi-view test configs on the motion demo, several seeds each."""
import os
import os.path as osp
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass
class LearningCase:
    description: str
    peer: str
    configs: Dict[str, str] = field(default_factory=dict)  # variant -> config path (repo-relative)
    seeds: List[int] = field(default_factory=lambda: [0, 1, 2])
    # Fewer seeds for some variants (a peer that only gives context, to save benchmark time), variant -> seeds.
    variant_seeds: Dict[str, List[int]] = field(default_factory=dict)
    # Arguments of tools/data/generate_motion_demo.py: the data the configs read.
    data_args: List[str] = field(default_factory=lambda: ['data/motion_demo', '--flavour', 'classification'])


LEARNING_CASES: Dict[str, LearningCase] = {}


def _run(command):
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    result = subprocess.run([sys.executable, *command], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} failed:\n{result.stdout[-3000:]}')
    return result.stdout


def _metrics(output):
    summary = output.split('Test results of')[-1]
    return {key: float(re.search(rf'acc/{key}\s+([0-9.]+)', summary).group(1)) for key in ('top1', 'mean1')}


def run_learning_case(name, case, quick=False):
    """Train + test every variant for every seed; returns rows for RESULTS.md."""
    print(f'[benchmark] {name}: generating the data (skipped when up to date) ...', flush=True)
    _run(['tools/data/generate_motion_demo.py', *case.data_args])
    extra = ['train_cfg.max_epochs=1', 'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',
             'param_scheduler.1.end=2', 'param_scheduler.1.T_max=1'] if quick else []
    rows = {}
    for variant, config in case.configs.items():
        row = dict(config=config, top1=[], mean1=[], train_s=[])
        seeds = case.variant_seeds.get(variant, case.seeds)
        for seed in seeds[:1] if quick else seeds:
            work_dir = tempfile.mkdtemp(prefix=f'bench_{name}_')
            print(f'[benchmark] {name} / {variant} / seed {seed}: training ...', flush=True)
            start = time.time()
            options = ['--cfg-options', f'randomness.seed={seed}', *extra] if extra else [
                '--cfg-options', f'randomness.seed={seed}']
            _run(['tools/train.py', config, '--work-dir', work_dir, *options])
            row['train_s'].append(time.time() - start)
            with open(osp.join(work_dir, 'last_checkpoint')) as f:
                checkpoint = f.read().strip()
            metrics = _metrics(_run(['tools/test.py', config, checkpoint, '--work-dir', work_dir, *options]))
            row['top1'].append(metrics['top1'])
            row['mean1'].append(metrics['mean1'])
            print(f'[benchmark]   top-1 {metrics["top1"]:.3f}, mean-class {metrics["mean1"]:.3f}', flush=True)
        rows[variant] = row
    return rows


LEARNING_CASES['motion_demo_learning'] = LearningCase(
    description='Top-1 and mean-class accuracy of the multi-view test (3 clips x 3 crops) on the validation '
    'set of the larger motion demo (12 classes, 200 training and 10 validation clips per class, chance 0.083) '
    'after training from scratch with the config as it is (ours 30 epochs, the peer 20). Both sample 8 frames '
    'every 2. Peer: the MMAction2 ResNet3d demo recipe on the same data, one seed (context, not the target).',
    peer='mmaction ResNet3d-18 (w16)',
    configs={
        'ours Video-FocalNet (w24, 2 stages, ReLU stem)':
        'configs/video_focalnet/videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-large.py',
        'mmaction ResNet3d-18 (w16)': 'configs/demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-large.py',
    },
    variant_seeds={'mmaction ResNet3d-18 (w16)': [0]},
    data_args=['data/motion_demo_large', '--flavour', 'classification', '--train-per-class', '200'])

LEARNING_CASES['emim_demo_learning'] = LearningCase(
    description='Top-1 and mean-class accuracy of the multi-view test (3 clips x 3 crops) on the validation '
    'set of the larger motion demo (12 classes, 200 training and 10 validation clips per class, chance 0.083) '
    'after training from scratch for 30 epochs: the tiny UniFormer-EMIM (EMIM in stage 3, 5x5 windows) against '
    'the same tiny UniFormer with global attention everywhere (its own baseline, same budget, same seeds).',
    peer='tiny UniFormer, global attention (O-O)',
    configs={
        'ours tiny UniFormer-EMIM (E-O in stage 3)':
        'configs/emim/uniformer-emim_tiny_scratch_1xb8-30e_8x2x1_motion-demo-large.py',
        'tiny UniFormer, global attention (O-O)':
        'configs/emim/uniformer_tiny_scratch_1xb8-30e_8x2x1_motion-demo-large.py',
    },
    data_args=['data/motion_demo_large', '--flavour', 'classification', '--train-per-class', '200'])
