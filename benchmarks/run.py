"""Benchmark runner: every figure is measured next to an in-tree MMAction2 peer in the same run.

    python benchmarks/run.py                 # all cases, writes benchmarks/RESULTS.md
    python benchmarks/run.py --only video_decode --repeats 5 --output /tmp/RESULTS.md

Each variant of a case runs in its own subprocess (clean peak RSS, no warm caches from another
variant) with a fixed number of threads. Reported per variant: parameters and FLOPs (mmengine's
analysis tools, when the variant is a model), median latency after warm-up with its interquartile
range, peak RSS, and the latency ratio to the case's peer.
"""
import argparse
import datetime
import importlib
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.dirname(HERE))
sys.path.insert(0, HERE)

from cases import CASES  # noqa: E402


def measure_variant(case_name, variant_name, threads, repeats, warmup, quick):
    """Runs inside the worker subprocess; returns a dict of figures."""
    import resource

    import numpy as np
    import torch
    torch.set_num_threads(threads)
    case = CASES[case_name]
    variant = case.variants[variant_name]
    workload = variant.build(quick=quick)
    figures = dict(case=case_name, variant=variant_name, unit=workload.unit)
    if workload.model is not None:
        from mmengine.analysis import get_model_complexity_info
        info = get_model_complexity_info(workload.model, inputs=workload.flops_inputs, show_table=False,
                                         show_arch=False)
        figures.update(params=info['params'], flops=info['flops'])
    for _ in range(warmup):
        workload.step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        workload.step()
        times.append((time.perf_counter() - start) * 1000.0 / workload.items_per_step)
    q1, median, q3 = np.percentile(times, [25, 50, 75])
    figures.update(latency_ms=float(median), latency_iqr_ms=float(q3 - q1),
                   peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    return figures


def run_worker(case_name, variant_name, args):
    command = [sys.executable, osp.abspath(__file__), '--worker', case_name, variant_name, '--threads',
               str(args.threads), '--repeats', str(args.repeats), '--warmup', str(args.warmup)]
    if args.quick:
        command.append('--quick')
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f'benchmark {case_name}/{variant_name} failed:\n{result.stderr[-3000:]}')
    return json.loads(result.stdout.strip().splitlines()[-1])


def _format_count(value, scale, suffix):
    return '-' if value is None else f'{value / scale:.2f}{suffix}'


def render(results, args):
    lines = [
        '# Benchmark results', '',
        f'Written by `python benchmarks/run.py` on {datetime.date.today()} '
        f'({platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.threads} thread(s), '
        f'torch {importlib.import_module("torch").__version__}). Median of {args.repeats} runs after '
        f'{args.warmup} warm-up runs; IQR in brackets. Each variant ran in its own process; the ratio is '
        'latency / latency of the peer measured in the same run (< 1: faster than the peer).', ''
    ]
    for case_name, rows in results.items():
        case = CASES[case_name]
        lines += [f'## {case_name}', '', case.description, '',
                  '| variant | params | FLOPs | latency | peak RSS | ratio to peer |', '|---|---|---|---|---|---|']
        peer = rows[case.peer]
        for name, row in rows.items():
            label = f'{name} (peer)' if name == case.peer else name
            ratio = row['latency_ms'] / peer['latency_ms']
            lines.append(
                f"| {label} | {_format_count(row.get('params'), 1e6, 'M')} | "
                f"{_format_count(row.get('flops'), 1e9, 'G')} | {row['latency_ms']:.2f} ms/{row['unit']} "
                f"[{row['latency_iqr_ms']:.2f}] | {row['peak_rss_mb']:.0f} MB | {ratio:.2f} |")
        lines.append('')
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--only', nargs='+', choices=sorted(CASES), help='run only these cases')
    parser.add_argument('--threads', type=int, default=1, help='torch/OpenMP threads (fixed for all variants)')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--quick', action='store_true', help='smaller inputs, for smoke tests')
    parser.add_argument('--output', default=osp.join(HERE, 'RESULTS.md'))
    parser.add_argument('--worker', nargs=2, metavar=('CASE', 'VARIANT'), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure_variant(*args.worker, args.threads, args.repeats, args.warmup, args.quick)))
        return
    results = {}
    for case_name in args.only or sorted(CASES):
        case = CASES[case_name]
        results[case_name] = {}
        for variant_name in case.variants:
            print(f'[benchmark] {case_name} / {variant_name} ...', flush=True)
            row = run_worker(case_name, variant_name, args)
            results[case_name][variant_name] = row
            print(f'[benchmark]   {row["latency_ms"]:.2f} ms/{row["unit"]}, peak RSS {row["peak_rss_mb"]:.0f} MB',
                  flush=True)
    text = render(results, args)
    with open(args.output, 'w') as f:
        f.write(text + '\n')
    print(text)


if __name__ == '__main__':
    main()
