"""tools/misc/store_main_job.py: a finished main job becomes the stored README result; anything else is refused."""
import json

import pytest

from helpers import load_tool

tool = load_tool('tools/misc/store_main_job.py')


def finished_job(tmp_path, **changes):
    work_dir = tmp_path / 'job'
    work_dir.mkdir()
    summary = dict(top1=0.9, mean_class=0.875, num_clips=120, classes=['a', 'b'], confusion=[[60, 0], [15, 45]],
                   job_seconds=600, config='configs/emim/x.py', install='ran')
    summary.update(changes)
    (work_dir / 'summary.json').write_text(json.dumps(summary))
    for name in tool.PICTURES:
        (work_dir / name).write_bytes(b'\x89PNG' + name.encode())
    return work_dir


def test_stores_the_summary_with_the_machine_and_copies_the_pictures(tmp_path):
    work_dir = finished_job(tmp_path)
    results, images = tmp_path / 'results', tmp_path / 'images'
    assert tool.main([str(work_dir), '--results-dir', str(results), '--images-dir', str(images)]) == 0
    stored = json.loads((results / 'main_job.json').read_text())
    assert stored['top1'] == 0.9 and stored['job_seconds'] == 600 and stored['confusion'] == [[60, 0], [15, 45]]
    assert stored['measured'].startswith('on ') and 'cores, torch' in stored['measured']
    for name in tool.PICTURES:
        assert (images / name).read_bytes() == (work_dir / name).read_bytes()


def test_a_quick_run_is_refused(tmp_path):
    work_dir = finished_job(tmp_path, num_clips=12)
    with pytest.raises(ValueError, match='12 test clips; a --quick run is not a result'):
        tool.store(str(work_dir), str(tmp_path / 'r'), str(tmp_path / 'i'))
    assert not (tmp_path / 'r').exists()


def test_a_summary_written_before_the_last_step_is_refused(tmp_path):
    work_dir = finished_job(tmp_path)
    summary = json.loads((work_dir / 'summary.json').read_text())
    del summary['job_seconds'], summary['config'], summary['install']  # demo.sh adds them last
    (work_dir / 'summary.json').write_text(json.dumps(summary))
    with pytest.raises(ValueError, match='summary.json: no job_seconds, config, install'):
        tool.store(str(work_dir), str(tmp_path / 'r'), str(tmp_path / 'i'))
    assert not (tmp_path / 'r').exists()


def test_missing_summary_or_picture_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='summary.json: no summary'):
        tool.store(str(tmp_path), str(tmp_path / 'r'), str(tmp_path / 'i'))
    work_dir = finished_job(tmp_path)
    (work_dir / 'attention_map.png').unlink()
    with pytest.raises(FileNotFoundError, match='no attention_map.png'):
        tool.store(str(work_dir), str(tmp_path / 'r'), str(tmp_path / 'i'))
