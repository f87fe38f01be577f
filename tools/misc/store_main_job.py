"""Store a finished main job (``bash tools/demo.sh WORK_DIR``) as the README's result: its summary as
``benchmarks/results/main_job.json`` (with the machine it ran on) and its three pictures in ``docs/images/main_job/``.

    python tools/misc/store_main_job.py WORK_DIR
    python tools/misc/readme_results.py          # then regenerate the README's result blocks

``bash tools/demo.sh WORK_DIR --store`` runs this at its end.
"""
import argparse
import datetime
import json
import os
import os.path as osp
import platform
import shutil
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PICTURES = ('learning_curve.png', 'confusion_matrix.png', 'attention_map.png')
REQUIRED = ('top1', 'mean_class', 'num_clips', 'classes', 'confusion', 'job_seconds', 'config', 'install')


def store(work_dir: str, results_dir: str, images_dir: str) -> dict:
    """Read ``WORK_DIR/summary.json`` and the pictures, write the stored result; errors name what is missing."""
    summary_path = osp.join(work_dir, 'summary.json')
    if not osp.isfile(summary_path):
        raise FileNotFoundError(f'{summary_path}: no summary; run bash tools/demo.sh {work_dir} to the end first')
    with open(summary_path) as f:
        summary = json.load(f)
    missing = [key for key in REQUIRED if key not in summary]
    if missing:
        raise ValueError(f'{summary_path}: no {", ".join(missing)} (a summary of a finished tools/demo.sh run has '
                         'them; this one stopped early or came from an older demo.sh)')
    if summary['num_clips'] < 120:
        raise ValueError(f'{summary_path}: {summary["num_clips"]} test clips; a --quick run is not a result')
    absent = [name for name in PICTURES if not osp.isfile(osp.join(work_dir, name))]
    if absent:
        raise FileNotFoundError(f'{work_dir}: no {", ".join(absent)}')
    import torch
    stored = dict(summary, measured=f'on {datetime.date.today()}, {platform.processor() or platform.machine()}, '
                  f'{os.cpu_count()} cores, torch {torch.__version__}')
    os.makedirs(results_dir, exist_ok=True)
    with open(osp.join(results_dir, 'main_job.json'), 'w') as f:
        json.dump(stored, f, indent=1)
    os.makedirs(images_dir, exist_ok=True)
    for name in PICTURES:
        shutil.copyfile(osp.join(work_dir, name), osp.join(images_dir, name))
    return stored


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir')
    parser.add_argument('--results-dir', default=osp.join(REPO, 'benchmarks', 'results'))
    parser.add_argument('--images-dir', default=osp.join(REPO, 'docs', 'images', 'main_job'))
    args = parser.parse_args(argv)
    stored = store(args.work_dir, args.results_dir, args.images_dir)
    print(f'stored top-1 {stored["top1"]:.4f} ({stored["job_seconds"] / 60:.1f} min) in {args.results_dir}/main_job.json '
          f'and the pictures in {args.images_dir}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
