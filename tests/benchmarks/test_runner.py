"""The benchmark runner works end to end (figures themselves live in benchmarks/RESULTS.md)."""
import re

import pytest

from helpers import run_tool


def test_runner_writes_a_table_with_ratios_to_the_peer(tmp_path):
    output = tmp_path / 'RESULTS.md'
    result = run_tool(['benchmarks/run.py', '--only', 'video_decode_pyav', '--quick', '--repeats', '2',
                       '--warmup', '1', '--output', str(output)])
    assert result.returncode == 0, result.stdout[-3000:]
    text = output.read_text()
    rows = [line for line in text.splitlines() if line.startswith('| ') and 'ms/clip' in line]
    assert len(rows) == 2
    peer = [row for row in rows if '(peer)' in row]
    assert len(peer) == 1 and peer[0].rstrip().endswith('| 1.00 |')
    peer_latency = float(re.search(r'\| ([0-9.]+) ms/clip', peer[0]).group(1))
    for row in rows:
        ratio = float(row.rstrip(' |').rsplit('|', 1)[-1])
        latency = float(re.search(r'\| ([0-9.]+) ms/clip', row).group(1))
        assert latency > 0 and ratio == pytest.approx(latency / peer_latency, abs=0.006)  # printed to 2 places


def test_detection_eval_case_reports_the_map_of_each_variant(shared_data, tmp_path):
    output = tmp_path / 'RESULTS.md'
    result = run_tool(['benchmarks/run.py', '--only', 'detection_eval_frame_map', '--quick', '--output', str(output)],
                      env=dict(MMACTION_EXT_SHARED_DATA=shared_data))
    assert result.returncode == 0, result.stdout[-3000:]
    rows = [line for line in output.read_text().splitlines() if 'evaluation of 48 videos' in line]
    assert len(rows) == 3  # the peer, ours 'voc', ours 'act'
    maps = [float(re.search(r'mAP ([0-9.]+) \|$', row.rstrip()).group(1)) for row in rows]
    # Convention 'voc' is the peer's evaluator: the same mAP; 'act' differs (matching rule, +1 pixel).
    assert all(50 < value <= 100 for value in maps) and maps[0] == maps[1] and abs(maps[2] - maps[1]) < 1.0


def test_learning_runs_are_seed_major_resumable_and_stored_after_each_run(monkeypatch):
    import sys
    sys.path.insert(0, 'benchmarks')
    from cases import learning

    case = learning.LearningCase(description='-', peer='peer', configs={'ours': 'a.py', 'peer': 'b.py'},
                                 seeds=[0, 1, 2], variant_seeds={'peer': [0, 2]}, data_args=['data/x'])
    assert learning.planned_runs(case) == [('ours', 0), ('peer', 0), ('ours', 1), ('ours', 2), ('peer', 2)]
    assert learning.planned_runs(case, quick=True) == [('ours', 0), ('peer', 0)]

    trained, snapshots = [], []
    monkeypatch.setattr(learning, '_run', lambda command, threads=None: '')  # no data generation here

    def fake_train_and_test(name, config, seed, quick, threads, metrics=None, train=True):
        trained.append((config, seed))
        return dict(top1=0.5 + seed / 10, mean1=0.4, train_s=60.0)

    monkeypatch.setattr(learning, '_train_and_test', fake_train_and_test)
    # An interrupted earlier run finished ('ours', 0): it is kept, not repeated.
    previous = {'ours': dict(config='a.py', seeds=[0], top1=[0.9], mean1=[0.8], train_s=[30.0])}
    rows = learning.run_learning_case('x', case, rows=previous,
                                      on_result=lambda rows: snapshots.append(sum(len(r['seeds']) for r in
                                                                                  rows.values())))
    assert trained == [('b.py', 0), ('a.py', 1), ('a.py', 2), ('b.py', 2)]
    assert snapshots == [2, 3, 4, 5]
    assert rows['ours']['seeds'] == [0, 1, 2] and rows['ours']['top1'] == [0.9, 0.6, 0.7]
    assert rows['peer']['seeds'] == [0, 2] and rows['peer']['top1'] == [0.5, 0.7]
    # Side by side: the same runs, each with its share of the cores.
    trained.clear()
    rows = learning.run_learning_case('x', case, jobs=2)
    assert sorted(trained) == sorted([('a.py', 0), ('b.py', 0), ('a.py', 1), ('a.py', 2), ('b.py', 2)])
    assert sorted(rows['peer']['seeds']) == [0, 2]
