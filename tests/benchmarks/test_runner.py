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
