"""Benchmark runner: every figure is measured next to an in-tree MMAction2 peer in the same run.

    python benchmarks/run.py                 # all cases, writes benchmarks/RESULTS.md
    python benchmarks/run.py --only video_decode_decord      # one case; the others keep their stored results
    python benchmarks/run.py --only video_decode_decord --quick --output /tmp/R.md   # smoke run, not stored

Each variant of a case runs in its own subprocess (clean peak RSS, no warm caches from another
variant) with a fixed number of threads. Reported per variant: parameters and FLOPs (mmengine's
analysis tools, when the variant is a model), median latency after warm-up with its interquartile
range, peak RSS, and the latency ratio to the case's peer.
"""
import argparse
import datetime
import glob
import json
import os
import os.path as osp
import platform
import statistics
import subprocess
import sys
import time

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.dirname(HERE))
sys.path.insert(0, HERE)

from cases import CASES, LEARNING_CASES, run_learning_case  # noqa: E402

RESULTS_DIR = osp.join(HERE, 'results')


def measure_variant(case_name, variant_name, threads, repeats, warmup, quick):
    """Runs inside the worker subprocess; returns a dict of figures."""
    import resource

    import numpy as np
    import torch
    torch.set_num_threads(threads)
    case = CASES[case_name]
    variant = case.variants[variant_name]
    repeats, warmup = case.repeats or repeats, case.warmup if case.warmup is not None else warmup
    workload = variant.build(quick=quick)
    figures = dict(case=case_name, variant=variant_name, unit=workload.unit, repeats=repeats)
    if workload.model is not None:
        from mmaction_ext.models.utils import count_gmacs
        training = workload.model.training
        # mmengine's counter (multiply-accumulates, fvcore convention, hence GMACs below), SDPA included.
        gmacs = count_gmacs(workload.model, workload.flops_inputs)
        workload.model.train(training)
        figures.update(params=sum(p.numel() for p in workload.model.parameters()),
                       flops=gmacs * 1e9 * workload.flops_scale, matmul_gflops=matmul_gflops())
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
    if workload.report is not None:
        figures['result'] = workload.report()
    return figures


def matmul_gflops(size=1024, repeats=10):
    """The machine's fp32 matmul rate (GFLOP/s, 2 FLOPs per multiply-add) at the current thread count."""
    import torch
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * size**3 * repeats / (time.perf_counter() - start) / 1e9


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


def render_latency_case(case_name, stored):
    case, rows = CASES[case_name], stored['rows']
    with_result = any('result' in row for row in rows.values())
    lines = [f'## {case_name}', '', case.description, '', f"Measured {stored['measured']}.", '',
             '| variant | params | GMACs | latency | GMAC/s (of fp32 matmul peak) | peak RSS | ratio to peer |' +
             (' result |' if with_result else ''), '|---|---|---|---|---|---|---|' + ('---|' if with_result else '')]
    peer = rows[case.peer]
    for name, row in rows.items():
        label = f'{name} (peer)' if name == case.peer else name
        ratio = row['latency_ms'] / peer['latency_ms']
        rate = '-'
        if row.get('flops'):
            achieved = row['flops'] / 1e9 / (row['latency_ms'] / 1000.0)
            rate = f"{achieved:.1f} ({100 * achieved / (row['matmul_gflops'] / 2):.0f}%)"
        lines.append(
            f"| {label} | {_format_count(row.get('params'), 1e6, 'M')} | "
            f"{_format_count(row.get('flops'), 1e9, '')} | {row['latency_ms']:.2f} ms/{row['unit']} "
            f"[{row['latency_iqr_ms']:.2f}, n={row['repeats']}] | {rate} | {row['peak_rss_mb']:.0f} MB | "
            f"{ratio:.2f} |" + (f" {row.get('result', '-')} |" if with_result else ''))
    return lines


def render_learning_case(case_name, stored):
    case, rows = LEARNING_CASES[case_name], stored['rows']
    keys = list(case.metrics)
    titles = [case.metric_titles.get(key, key) for key in keys]
    head = keys[0]
    lines = [f'## {case_name}', '', case.description, '', f"Measured {stored['measured']}.", '',
             f'| variant | seeds | {titles[0]} (mean +- std) | ' + ''.join(f'{t} | ' for t in titles[1:]) +
             f'per-seed {titles[0]} | train time / seed | {titles[0]} ratio to peer |',
             '|---|---|---|' + '---|' * (len(keys) - 1) + '---|---|---|']
    peer_values = rows.get(case.peer, {}).get(head)
    for name, row in rows.items():
        label = f'{name} (peer)' if name == case.peer else name
        values = row.get(head)
        if not values:
            lines.append(f'| {label} | 0 | not run yet | ' + '- | ' * (len(keys) - 1) + '- | - | - |')
            continue
        seeds = row.get('seeds', list(range(len(values))))
        ratio = (f'{statistics.mean(values) / statistics.mean(peer_values):.2f}'
                 if peer_values and statistics.mean(peer_values) else '-')
        others = ''.join(f'{statistics.mean(row[key]):.3f} | ' for key in keys[1:])
        train = '- (not trained)' if name in case.test_only else f"{statistics.mean(row['train_s']) / 60:.1f} min"
        lines.append(
            f"| {label} | {len(values)} | {statistics.mean(values):.3f} +- {statistics.pstdev(values):.3f} | "
            f"{others}{', '.join(f'{v:.3f} (seed {seed})' for seed, v in sorted(zip(seeds, values)))} | "
            f"{train} | {ratio} |")
    stale = [(name, row['config']) for name, row in rows.items()
             if row.get('config') and name in case.configs and row['config'] != case.configs[name]]
    if stale:
        lines += ['', 'These rows were measured with configs the case no longer runs (re-run with '
                  f'`python benchmarks/run.py --only {case_name}`): ' +
                  '; '.join(f'{name}: `{config}` (now `{case.configs[name]}`)' for name, config in stale) + '.']
    return lines


def render():
    """RESULTS.md from every stored case result (benchmarks/results/*.json)."""
    lines = [
        '# Benchmark results', '',
        'Written by `python benchmarks/run.py` from the stored results in `benchmarks/results/`. Latency: median '
        'of n runs after warm-up, IQR and n in brackets, each variant in its own process with a fixed thread '
        'count; the ratio is latency / latency of the peer measured in the same run (< 1: faster than the '
        'peer). Learning: top-1 of the multi-view test after training, per seed; the ratio is top-1 / top-1 '
        'of the peer trained in the same run (> 1: better than the peer).', ''
    ]
    for path in sorted(glob.glob(osp.join(RESULTS_DIR, '*.json'))):
        with open(path) as f:
            stored = json.load(f)
        name = osp.basename(path)[:-5]
        if name in CASES:
            lines += render_latency_case(name, stored) + ['']
        elif name in LEARNING_CASES:
            lines += render_learning_case(name, stored) + ['']
    return '\n'.join(lines)


def describe_machine(args, learning=False):
    import torch
    threads = (f'{args.jobs} runs at a time' if args.jobs > 1 else 'one run at a time') if learning else (
        f'{args.threads} thread(s)')
    return (f'on {datetime.date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, '
            f'{threads}, torch {torch.__version__}')


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--only', nargs='+', choices=sorted(CASES) + sorted(LEARNING_CASES),
                        help='run only these cases (the others keep their stored results)')
    parser.add_argument('--threads', type=int, default=1, help='torch/OpenMP threads (fixed for all variants)')
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--quick', action='store_true', help='smaller inputs, for smoke tests')
    parser.add_argument('--output', default=osp.join(HERE, 'RESULTS.md'))
    parser.add_argument('--jobs', type=int, default=1,
                        help='learning cases: train this many runs side by side, the cores split between them')
    parser.add_argument('--resume', action='store_true',
                        help='learning cases: keep the stored per-seed results and run only the missing seeds')
    parser.add_argument('--worker', nargs=2, metavar=('CASE', 'VARIANT'), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(measure_variant(*args.worker, args.threads, args.repeats, args.warmup, args.quick)))
        return
    quick_store = {}
    os.makedirs(RESULTS_DIR, exist_ok=True)
    selected = args.only or sorted(CASES) + sorted(LEARNING_CASES)
    for case_name in selected:
        store_path = osp.join(RESULTS_DIR, f'{case_name}.json')

        def store(rows, case_name=case_name, store_path=store_path):
            stored = dict(measured=describe_machine(args, learning=case_name in LEARNING_CASES), rows=rows)
            if args.quick:  # quick runs are smoke tests: never stored
                quick_store[case_name] = dict(stored, measured=stored['measured'] + ' (quick)')
                return
            with open(store_path, 'w') as f:
                json.dump(stored, f, indent=1)
            with open(args.output, 'w') as f:  # the table so far, also if a later run breaks off
                f.write(render() + '\n')

        if case_name in LEARNING_CASES:
            previous = None
            if args.resume and osp.exists(store_path):
                with open(store_path) as f:
                    previous = json.load(f)['rows']
            rows = run_learning_case(case_name, LEARNING_CASES[case_name], quick=args.quick, jobs=args.jobs,
                                     rows=previous, on_result=store)
        else:
            rows = {}
            for variant_name in CASES[case_name].variants:
                print(f'[benchmark] {case_name} / {variant_name} ...', flush=True)
                row = run_worker(case_name, variant_name, args)
                rows[variant_name] = row
                print(f'[benchmark]   {row["latency_ms"]:.2f} ms/{row["unit"]}, peak RSS {row["peak_rss_mb"]:.0f} MB',
                      flush=True)
        store(rows)
    text = render() if not args.quick else render_quick(quick_store)
    with open(args.output, 'w') as f:
        f.write(text + '\n')
    print(text)


def render_quick(stored_by_case):
    lines = ['# Benchmark results (quick smoke run, not stored)', '']
    for name, stored in stored_by_case.items():
        render_case = render_learning_case if name in LEARNING_CASES else render_latency_case
        lines += render_case(name, stored) + ['']
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
