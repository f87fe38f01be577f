"""Learning cases: train and multi-view test configs on the motion demo, several seeds each."""
import os
import os.path as osp
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@dataclass
class LearningCase:
    description: str
    peer: str
    configs: Dict[str, str] = field(default_factory=dict)  # variant -> config path (repo-relative)
    seeds: List[int] = field(default_factory=lambda: [0, 1, 2])
    # Fewer seeds for some variants (a peer that only gives context, to save benchmark time), variant -> seeds.
    variant_seeds: Dict[str, List[int]] = field(default_factory=dict)
    # Arguments of tools/data/generate_motion_demo.py: the data the configs read (None: the configs read the online
    # demo, which needs no files).
    data_args: Optional[List[str]] = None
    # Row key -> the metric's name in tools/test.py's summary; the first one is the headline (ratio, per seed).
    metrics: Dict[str, str] = field(default_factory=lambda: {'top1': 'acc/top1', 'mean1': 'acc/mean1'})
    # Row key -> column title.
    metric_titles: Dict[str, str] = field(default_factory=lambda: {'top1': 'top-1', 'mean1': 'mean-class acc.'})
    # Variants that are only tested (checkpoint 'none'), e.g. a parameter-free reference detector.
    test_only: List[str] = field(default_factory=list)
    # Commands (tool + arguments, repo-relative) run once before the seeds, each skipped when the file it
    # writes (second item, None: always run, e.g. a resumable tool) exists: e.g. a stage-1 model and the
    # features the variants read.
    setup: List[Tuple[List[str], Optional[str]]] = field(default_factory=list)


LEARNING_CASES: Dict[str, LearningCase] = {}


def _run(command, threads=None):
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    if threads:  # runs side by side share the cores: fix each one's torch/OpenMP threads
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    result = subprocess.run([sys.executable, *command], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'{" ".join(command)} failed:\n{result.stdout[-3000:]}')
    return result.stdout


def _metrics(output, metrics=None):
    summary = output.split('Test results of')[-1]
    metrics = metrics or {'top1': 'acc/top1', 'mean1': 'acc/mean1'}
    return {key: float(re.search(rf'{re.escape(name)}:?\s+([0-9.]+)', summary).group(1))
            for key, name in metrics.items()}


def planned_runs(case, quick=False):
    """(variant, seed) pairs, seed-major: an interrupted benchmark still compares the variants on the same
    seeds."""
    seeds = {variant: case.variant_seeds.get(variant, case.seeds)[:1 if quick else None] for variant in case.configs}
    all_seeds = sorted({seed for variant_seeds in seeds.values() for seed in variant_seeds})
    return [(variant, seed) for seed in all_seeds for variant in case.configs if seed in seeds[variant]]


def _train_and_test(name, config, seed, quick, threads, metrics=None, train=True):
    extra = ['train_cfg.max_epochs=1', 'param_scheduler.0.end=1', 'param_scheduler.1.begin=1',
             'param_scheduler.1.end=2'] if quick and train else []
    if extra:
        from mmengine.config import Config  # the schedule as inherited, not just this file's text
        if 'T_max' in Config.fromfile(osp.join(REPO, config)).param_scheduler[1]:
            extra.append('param_scheduler.1.T_max=1')
    options = ['--cfg-options', f'randomness.seed={seed}', *extra]
    work_dir = tempfile.mkdtemp(prefix=f'bench_{name}_')
    start = time.time()
    checkpoint = 'none'
    if train:
        _run(['tools/train.py', config, '--work-dir', work_dir, *options], threads)
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
    train_s = time.time() - start
    result = _metrics(_run(['tools/test.py', config, checkpoint, '--work-dir', work_dir, *options], threads), metrics)
    return dict(result, train_s=train_s)


def run_learning_case(name, case, quick=False, jobs=1, rows=None, on_result=None):
    """Train + test every variant for every seed; returns rows for RESULTS.md.

    ``rows``: results stored by an earlier, interrupted run (variant -> row with ``seeds``); the runs they
    hold are skipped. ``on_result(rows)`` is called after every finished run, so the results of the runs
    done so far can be stored. ``jobs`` runs train side by side, the cores split between them.
    """
    if case.data_args is not None:
        print(f'[benchmark] {name}: generating the data (skipped when up to date) ...', flush=True)
        _run(['tools/data/generate_motion_demo.py', *case.data_args])
    for command, output in case.setup:
        if output is not None and osp.exists(osp.join(REPO, output)):
            print(f'[benchmark] {name}: {output} exists, skipping {command[0]}', flush=True)
            continue
        print(f'[benchmark] {name}: {" ".join(command)} ...', flush=True)
        start = time.time()
        _run(command)
        print(f'[benchmark] {name}: {command[0]} done in {(time.time() - start) / 60:.1f} min', flush=True)
    rows = {variant: row for variant, row in (rows or {}).items() if variant in case.configs}
    for variant, config in case.configs.items():
        rows.setdefault(variant, dict(config=config, seeds=[], train_s=[], **{key: [] for key in case.metrics}))
    todo = [(variant, seed) for variant, seed in planned_runs(case, quick) if seed not in rows[variant]['seeds']]
    threads = max(1, (os.cpu_count() or 1) // jobs) if jobs > 1 else None
    print(f'[benchmark] {name}: {len(todo)} runs to do ({jobs} at a time)', flush=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(_train_and_test, name, case.configs[variant], seed, quick, threads,
                               metrics=case.metrics, train=variant not in case.test_only): (variant, seed)
                   for variant, seed in todo}
        for done, future in enumerate(as_completed(futures), 1):
            variant, seed = futures[future]
            result, row = future.result(), rows[variant]
            for key in (*case.metrics, 'train_s'):
                row.setdefault(key, []).append(result[key])
            row['seeds'].append(seed)
            figures = ', '.join(f'{case.metric_titles.get(key, key)} {result[key]:.3f}' for key in case.metrics)
            print(f'[benchmark] {done}/{len(todo)} {name} / {variant} / seed {seed}: {figures}, '
                  f'trained in {result["train_s"] / 60:.1f} min', flush=True)
            if on_result is not None:
                on_result(rows)
    return rows


LEARNING_CASES['motion_demo_learning'] = LearningCase(
    description='Top-1 and mean-class accuracy of the multi-view test (3 clips x 3 crops) on the validation '
    'set of the online motion demo (12 classes, 2400 new training clips per epoch, the 120 validation clips of the '
    'file generator, chance 0.083) '
    'after training from scratch with the config as it is (ours 30 epochs, the peer 20). Both sample 8 frames '
    'every 2. Peer: the MMAction2 ResNet3d demo recipe on the same data, one seed (context, not the target).',
    peer='mmaction ResNet3d-18 (w16)',
    configs={
        'ours Video-FocalNet (w24, 2 stages, ReLU stem)':
        'configs/video_focalnet/videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-online.py',
        'mmaction ResNet3d-18 (w16)': 'configs/demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py',
    },
    variant_seeds={'mmaction ResNet3d-18 (w16)': [0]},
)

LEARNING_CASES['emim_demo_learning'] = LearningCase(
    description='Top-1 and mean-class accuracy of the multi-view test (3 clips x 3 crops) on the validation '
    'set of the online motion demo (12 classes, 2400 new training clips per epoch, the 120 validation clips of the '
    'file generator, chance 0.083) '
    'after training from scratch for 8 epochs (2400 steps, channels-last): the tiny UniFormer-EMIM (depth 2-2-2-2, '
    'widths 16-128, EMIM in stage 3 with 5x5 windows, and the five small-data options of docs/demo_learning.md, '
    'item 15) against the same tiny UniFormer with global attention everywhere (its own baseline, same options, '
    'budget and seeds). Two runs side by side, one thread each; `--resume` adds missing seeds.',
    peer='tiny UniFormer, global attention (O-O)',
    configs={
        'ours tiny UniFormer-EMIM (E-O in stage 3)':
        'configs/emim/uniformer-emim_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
        'tiny UniFormer, global attention (O-O)':
        'configs/emim/uniformer_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
    },
)

LEARNING_CASES['csa_demo_learning'] = LearningCase(
    description='Tube detection on the larger motion-demo detection data (12 classes; 120 training and 24 test '
    'videos of 24 frames, 2-3 actors each, 8-frame clips): the tiny CSA (ResNet3d-18 w32 from scratch, D 64, 1 + 1 '
    'layers, 4 actor queries, 112 px, 10 epochs = 1800 steps at lr 1e-3, anchors 10x, spread class-norm weight: '
    'docs/csa.md) against "ground-truth boxes with random class scores" (the parameter-free OracleTubeDetector, '
    'not trained). Class-agnostic frame-AP@0.5 measures localisation alone (target >= 50); frame-mAP@0.5 measures '
    'both (target >= 2x the random-class floor). In percent. Seeds run one at a time on 2 cores; seed 0 shared '
    'them with profiling for part of its run, so train times are indicative only.',
    peer='GT boxes, random class scores',
    configs={
        'ours tiny CSA': 'configs/csa/csa_r18-tiny_scratch_1xb2-10e_8x1x1_motion-demo-tube-large.py',
        'GT boxes, random class scores': 'configs/detection_eval/oracle-tube-random-scores_8x1x1_motion-demo-large.py',
    },
    variant_seeds={'GT boxes, random class scores': [0]},
    test_only=['GT boxes, random class scores'],
    metrics={'frame_map': 'frame_mAP@0.5', 'agnostic_ap': 'frame_AP_agnostic@0.5', 'video_map': 'video_mAP@0.5'},
    metric_titles={'frame_map': 'frame-mAP@0.5', 'agnostic_ap': 'class-agnostic frame-AP@0.5',
                   'video_map': 'video-mAP@0.5'},
    data_args=['data/motion_demo_det_large', '--flavour', 'detection', '--det-train', '120', '--det-val', '24',
               '--det-num-frames', '24'])

FOCUSVIDEO_STAGE1 = 'configs/focusvideo/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online.py'
FOCUSVIDEO_STAGE1_CKPT = 'work_dirs/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online/epoch_10.pth'
LEARNING_CASES['focusvideo_demo_learning'] = LearningCase(
    description='Two-stage demo on the online motion demo (12 classes, 200 training clips per class, 10 '
    'validation clips per class, chance 0.083; stage 2 reads epoch 0\'s clips every epoch, for its stored targets): stage 1 trains a tiny CLIP-style ViT (width 64, 2 blocks, 16 px patches at 80 px, '
    'ST-Adapters at both positions) unfrozen from scratch, 10 epochs, once (setup; it also writes the offline '
    'targets with tools/extract_features.py); stage 2 freezes it and trains, 10 epochs each, FocusVideo (8 '
    'queries per frame, shared QP layer, local layer, L_cls + L_recon offline) against its global branch alone '
    '(ST-Adapter, Table 3a M1), fresh adapters for both, same seeds. Multi-view test, 3 clips x 3 crops.',
    peer='ST-Adapter (global branch, M1) on stage 1',
    configs={
        'ours FocusVideo on stage 1': 'configs/focusvideo/focusvideo_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py',
        'ST-Adapter (global branch, M1) on stage 1':
        'configs/focusvideo/st-adapter_tiny_demo-pre_1xb8-10e_8x2x1_motion-demo-online.py',
    },
    setup=[
        (['tools/train.py', FOCUSVIDEO_STAGE1, '--work-dir', osp.dirname(FOCUSVIDEO_STAGE1_CKPT)],
         FOCUSVIDEO_STAGE1_CKPT),
        (['tools/extract_features.py', FOCUSVIDEO_STAGE1, FOCUSVIDEO_STAGE1_CKPT,
          'data/motion_demo_online/focusvideo_targets'], None),
    ],
)

ART_TINY_CLIP = 'data/tiny_clip.pth'
ART_BANK = 'data/motion_demo_online/art_text-bank_tiny-clip.pth'
LEARNING_CASES['art_demo_learning'] = LearningCase(
    description='Top-1 and mean-class accuracy of the multi-view test (3 clips x 3 crops) on the validation set of '
    'the online motion demo (12 classes, 2400 new training clips per epoch, 120 validation clips, chance 0.083) after '
    'training from scratch, same budget and seeds: the tiny UniFormerV2 (width 64, 2 local blocks, 1 global '
    'block, 80 px, 8 frames) with ART\'s head (K = 2, d = 64, 2 + 2 layers, bank from a random tiny CLIP text '
    'tower: structure without semantics), the same without the MTC loss, and the same backbone with Table IV\'s '
    'baseline head. The tiny CLIP and its bank are made once (setup).',
    peer='tiny UniFormerV2 (baseline head)',
    configs={
        'ours tiny ART': 'configs/art/art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
        'tiny ART without MTC': 'configs/art/art-no-mtc_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
        'tiny UniFormerV2 (baseline head)':
        'configs/art/art-baseline_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
    },
    setup=[
        (['tools/misc/make_tiny_clip.py', ART_TINY_CLIP], ART_TINY_CLIP),
        (['tools/data/generate_motion_demo.py', 'data/motion_demo_online', '--flavour', 'classes'],
         'data/motion_demo_online/classes.txt'),
        (['tools/build_text_bank.py', ART_TINY_CLIP, 'data/motion_demo_online/classes.txt', ART_BANK],
         ART_BANK),
    ],
)

ZERO_SHOT = 'data/motion_demo_online/zero_shot'
LEARNING_CASES['art_zero_shot_demo'] = LearningCase(
    description='Beyond the paper, zero-shot classes through eq. 13: the tiny ART demo trained on 8 classes of the '
    'online motion demo (bank of those 8) and tested on the 4 others (rotations, approach / recede; 40 validation '
    'clips, chance 0.25) through a bank of the unseen classes, multi-view (3 x 3). The banks come from the random '
    'tiny CLIP text tower, whose embeddings mean nothing: chance is the expected result; the row shows the '
    'mechanics run end to end. One seed.',
    peer='tiny ART, 8 seen -> 4 unseen classes',
    configs={'tiny ART, 8 seen -> 4 unseen classes':
             'configs/art/art-zero-shot_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py'},
    seeds=[0],
    setup=[
        (['tools/misc/make_tiny_clip.py', ART_TINY_CLIP], ART_TINY_CLIP),
        (['tools/data/generate_motion_demo.py', ZERO_SHOT, '--flavour', 'classes', '--class-indices',
          *map(str, range(8)), '--classes-file', 'seen_classes.txt'], f'{ZERO_SHOT}/seen_classes.txt'),
        (['tools/data/generate_motion_demo.py', ZERO_SHOT, '--flavour', 'classes', '--class-indices', '8', '9',
          '10', '11', '--classes-file', 'unseen_classes.txt'], f'{ZERO_SHOT}/unseen_classes.txt'),
        (['tools/build_text_bank.py', ART_TINY_CLIP, f'{ZERO_SHOT}/seen_classes.txt',
          f'{ZERO_SHOT}/art_text-bank_seen.pth'], f'{ZERO_SHOT}/art_text-bank_seen.pth'),
        (['tools/build_text_bank.py', ART_TINY_CLIP, f'{ZERO_SHOT}/unseen_classes.txt',
          f'{ZERO_SHOT}/art_text-bank_unseen.pth'], f'{ZERO_SHOT}/art_text-bank_unseen.pth'),
    ],
)
