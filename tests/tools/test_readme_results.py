"""The README's result blocks are what tools/misc/readme_results.py renders from benchmarks/results/."""
import pytest

from helpers import load_tool

tool = load_tool('tools/misc/readme_results.py')


def test_readme_results_are_generated_from_the_stored_results():
    assert tool.main(['--check']) == 0, 'README.md differs from benchmarks/results: run tools/misc/readme_results.py'


def test_a_typed_number_is_caught(tmp_path, capsys):
    readme = tmp_path / 'README.md'
    text = open(tool.README).read()
    block = text[text.index('<!-- results:main-job -->'):text.index('<!-- /results:main-job -->')]
    assert 'top-1 0.' in block
    readme.write_text(text.replace(block, block.replace('top-1 0.', 'top-1 9.', 1)))
    assert tool.main(['--check', '--readme', str(readme)]) == 1
    assert 'README.md is stale' in capsys.readouterr().out
    assert tool.main(['--readme', str(readme)]) == 0 and readme.read_text() == text


def test_missing_markers_are_named(tmp_path):
    readme = tmp_path / 'README.md'
    readme.write_text('# no blocks\n')
    with pytest.raises(ValueError, match='no "<!-- results:main-job -->"'):
        tool.main(['--check', '--readme', str(readme)])


def test_the_pictures_the_readme_shows_are_stored():
    import os.path as osp
    import re
    text = open(tool.README).read()
    pictures = re.findall(r'!\[[^\]]*\]\(([^)]+)\)', text)
    assert 'docs/images/main_job/confusion_matrix.png' in pictures
    missing = [path for path in pictures if not osp.isfile(osp.join(tool.REPO, path))]
    assert not missing, f'README.md shows pictures that are not in the repository: {missing}'
