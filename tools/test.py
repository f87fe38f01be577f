"""Test a checkpoint with MMAction2's runner (mmaction-ext modules registered).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--dump results.pkl] [--show-dir DIR]
                         [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

Multi-view testing (clips x crops, scores averaged) is set in the config's test pipeline
(``SampleFrames(num_clips=...)``, ``ThreeCrop``/``TenCrop``) and the head's ``average_clips``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import add_common_arguments, build_runner, load_config, parse_tool_args, run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Test a checkpoint (mmaction-ext)')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none' to test the model as built "
                        '(parameter-free reference models such as OracleTubeDetector)')
    parser.add_argument('--dump', help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument('--show-dir', help='directory where visualised predictions are saved')
    parser.add_argument('--interval', type=int, default=1, help='visualise every N samples')
    parser.add_argument('--wait-time', type=float, default=2, help='display time of a figure in seconds')
    return parse_tool_args(add_common_arguments(parser), argv)


def merge_args(cfg, args):
    if args.show or args.show_dir:
        hooks = cfg.get('default_hooks', {})
        if 'visualization' not in hooks:
            raise KeyError('--show/--show-dir need default_hooks.visualization (ActionVisualizationHook)')
        visualization = hooks['visualization']
        visualization.update(enable=True, show=args.show, wait_time=args.wait_time,
                             out_dir=args.show_dir, interval=args.interval)
    if args.dump is not None:
        if not args.dump.endswith(('.pkl', '.pickle')):
            raise ValueError(f'--dump must name a .pkl file, got {args.dump}')
        dump = dict(type='DumpResults', out_file_path=args.dump)
        evaluators = cfg.test_evaluator
        cfg.test_evaluator = (list(evaluators) if isinstance(evaluators, (list, tuple)) else [evaluators]) + [dump]
    cfg.load_from = None if args.checkpoint == 'none' else args.checkpoint
    return cfg


def main(argv=None):
    args = parse_args(argv)
    if args.checkpoint != 'none' and not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    cfg = merge_args(load_config(args.config, args.cfg_options, args.work_dir, args.launcher), args)
    runner = build_runner(cfg)
    metrics = runner.test()
    print(f'\nTest results of {args.checkpoint}:')
    for name, value in metrics.items():
        print(f'  {name:<16} {value:.4f}' if isinstance(value, float) else f'  {name:<16} {value}')
    return metrics


if __name__ == '__main__':
    run_tool(main)
