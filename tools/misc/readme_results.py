"""Write the README's result lines from the stored benchmark results, so that no number there is typed.

    python tools/misc/readme_results.py            # rewrite the generated blocks of README.md
    python tools/misc/readme_results.py --check    # exit 1 (and show the difference) when README.md is stale

A generated block sits between ``<!-- results:NAME -->`` and ``<!-- /results:NAME -->``; everything between the
two markers is replaced by what :data:`BLOCKS` renders from ``benchmarks/results/*.json``.
"""
import argparse
import difflib
import json
import os.path as osp
import re
import statistics
import sys
from typing import Callable, Dict

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
RESULTS = osp.join(REPO, 'benchmarks', 'results')
README = osp.join(REPO, 'README.md')


def _load(case: str) -> dict:
    with open(osp.join(RESULTS, f'{case}.json')) as f:
        return json.load(f)


def _summary(values, digits=3) -> str:
    if len(values) == 1:
        return f'{values[0]:.{digits}f} (one seed)'
    return f'{statistics.mean(values):.{digits}f} +- {statistics.pstdev(values):.{digits}f} over {len(values)} seeds'


def _config_name(path: str) -> str:
    return osp.basename(path)[:-3] if path.endswith('.py') else path


# Learning cases shown in the README: (case, paper, headline metric, its title).
LEARNING = [
    ('motion_demo_learning', 'Video-FocalNets', 'top1', 'top-1'),
    ('emim_demo_learning', 'EMIM', 'top1', 'top-1'),
    ('focusvideo_demo_learning', 'FocusVideo', 'top1', 'top-1'),
    ('art_demo_learning', 'ART', 'top1', 'top-1'),
    ('csa_demo_learning', 'CSA', 'frame_map', 'frame-mAP@0.5'),
    ('art_zero_shot_demo', 'ART zero-shot (8 seen -> 4 unseen)', 'top1', 'top-1'),
]


def render_learning() -> str:
    sys.path.insert(0, osp.join(REPO, 'benchmarks'))
    from cases import LEARNING_CASES
    lines = ['| paper | model | peer | metric | model | peer | measured | trained with |', '|---|---|---|---|---|---|---|---|']
    for case_name, paper, key, title in LEARNING:
        stored, case = _load(case_name), LEARNING_CASES[case_name]
        rows = stored['rows']
        peer = case.peer
        ours = next((name for name in rows if name != peer), peer)
        peer_cell = _summary(rows[peer][key]) if peer != ours else '-'
        configs = {_config_name(rows[name]['config']) for name in (ours, peer)}
        date = re.search(r'\d{4}-\d{2}-\d{2}', stored['measured']).group(0)
        lines.append(f'| {paper} | {ours} | {peer if peer != ours else "-"} | {title} | {_summary(rows[ours][key])} | '
                     f'{peer_cell} | {date} | {", ".join(f"`{c}`" for c in sorted(configs))} |')
    return '\n'.join(lines)


def render_main_job() -> str:
    job = _load('main_job')
    stored = _load('emim_demo_learning')
    rows = stored['rows']
    ours = next(name for name in rows if 'EMIM' in name)
    peer = next(name for name in rows if name != ours)
    r3d_stored = _load('motion_demo_learning')
    r3d = next(name for name in r3d_stored['rows'] if 'ResNet3d' in name)
    return (f'Stored main job (`benchmarks/results/main_job.json`, `{_config_name(job["config"])}`, measured '
            f'{job["measured"]}): test top-1 {job["top1"]:.3f}, mean-class accuracy {job["mean_class"]:.3f} '
            f'({job["num_clips"]} clips, chance 0.083) in {job["job_seconds"] / 60:.0f} minutes '
            f'(installation {job["install"]}); its pictures are in `docs/images/main_job/`. Over seeds '
            f'(`benchmarks/results/emim_demo_learning.json`, measured {stored["measured"]}): the tiny UniFormer-EMIM '
            f'{_summary(rows[ours]["top1"])}, the same network with global attention {_summary(rows[peer]["top1"])}. '
            f'For reference, MMAction2\'s ResNet3d-18 reached {_summary(r3d_stored["rows"][r3d]["top1"])} '
            f'(`benchmarks/results/motion_demo_learning.json`, `{_config_name(r3d_stored["rows"][r3d]["config"])}`, '
            f'measured {r3d_stored["measured"].split(",")[0]}).')


BLOCKS: Dict[str, Callable[[], str]] = {'main-job': render_main_job, 'learning': render_learning}


def rendered(text: str) -> str:
    """``text`` with every generated block re-rendered; an error names a block whose markers are missing."""
    for name, render in BLOCKS.items():
        pattern = re.compile(rf'(<!-- results:{name} -->\n).*?(<!-- /results:{name} -->)', re.S)
        if not pattern.search(text):
            raise ValueError(f'README.md: no "<!-- results:{name} -->" ... "<!-- /results:{name} -->" block')
        text = pattern.sub(lambda m: m.group(1) + render() + '\n' + m.group(2), text)
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true', help='only compare; exit 1 when README.md is stale')
    parser.add_argument('--readme', default=README)
    args = parser.parse_args(argv)
    with open(args.readme) as f:
        text = f.read()
    new = rendered(text)
    if args.check:
        if new != text:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), 'README.md',
                                                       'README.md (from benchmarks/results)'))
            print('README.md is stale: run python tools/misc/readme_results.py')
            return 1
        return 0
    with open(args.readme, 'w') as f:
        f.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main())
