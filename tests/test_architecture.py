"""The import rules of docs/architecture.md, checked on the source: shared layers and structures import
nothing paper-specific, a paper's modules never import another paper's, and the demo generator stays out of
``import mmaction_ext``."""
import ast
import os.path as osp
import subprocess
import sys
from pathlib import Path


from helpers import REPO_ROOT

PACKAGE = Path(REPO_ROOT) / 'mmaction_ext'
# What each shared package may import from mmaction_ext (itself always).
SHARED_ALLOWED = {
    'mmaction_ext.structures': ('mmaction_ext.utils', ),
    'mmaction_ext.models.layers': ('mmaction_ext.structures', 'mmaction_ext.utils', 'mmaction_ext.fileio',
                                   'mmaction_ext.models.utils'),
    'mmaction_ext.models.utils': ('mmaction_ext.utils', 'mmaction_ext.fileio'),
    'mmaction_ext.fileio': ('mmaction_ext.utils', ),
    'mmaction_ext.utils': (),
}
# Model components: a module here whose name starts with a paper's prefix belongs to that paper.
COMPONENTS = tuple(f'mmaction_ext.models.{name}'
                   for name in ('backbones', 'necks', 'heads', 'losses', 'recognizers', 'detectors'))
PAPERS = ('video_focalnet', 'emim', 'focusvideo', 'art', 'csa')


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix('').parts)
    return '.'.join(parts[:-1] if parts[-1] == '__init__' else parts)


def imported_modules(path: Path, root: Path):
    """Every ``mmaction_ext`` module the file imports (relative imports resolved), with line numbers."""
    name = module_name(path, root)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ''
            if node.level:
                anchor = package.split('.')[:len(package.split('.')) - node.level + 1]
                base = '.'.join(anchor + ([base] if base else []))
            # ``from .x import y`` imports x.y (a submodule or a name in x): the rules are by prefix.
            targets = [base if alias.name == '*' else f'{base}.{alias.name}' for alias in node.names]
        else:
            continue
        for target in targets:
            if target == root.name or target.startswith(root.name + '.'):
                yield node.lineno, target


def paper_of(module: str):
    """The paper a model component belongs to, from its module name (``.../backbones/emim_uniformer.py``)."""
    component = next((c for c in COMPONENTS if module.startswith(c + '.')), None)
    if component is None:
        return None
    stem = module[len(component) + 1:].split('.')[0]
    return next((paper for paper in PAPERS if stem == paper or stem.startswith(paper + '_')), None)


def violations(root: Path):
    found = []
    for path in sorted(root.rglob('*.py')):
        name = module_name(path, root)
        owner = next((shared for shared in SHARED_ALLOWED if name == shared or name.startswith(shared + '.')), None)
        for line, target in imported_modules(path, root):
            where = f'{path.relative_to(root.parent)}:{line} imports {target}'
            if owner is not None:
                allowed = (owner, ) + SHARED_ALLOWED[owner]
                if not any(target == a or target.startswith(a + '.') for a in allowed):
                    found.append(f'{where}: {owner} may import only {allowed}')
            mine, theirs = paper_of(name), paper_of(target)
            if theirs is not None and mine is not None and mine != theirs:
                found.append(f"{where}: {mine}'s modules may not import {theirs}'s")
    return found


def test_the_package_follows_the_import_rules():
    assert violations(PACKAGE) == []


def test_the_checker_finds_violations(tmp_path):
    """The rules above can fail: a layer importing a backbone and one paper importing another are caught."""
    root = tmp_path / 'mmaction_ext'
    files = {
        'structures/__init__.py': 'from ..models.layers import x\n',
        'models/layers/bad_layer.py': 'from ..backbones.video_focalnet import VideoFocalNet\n',
        'models/layers/good_layer.py': 'from ...structures import tube_nms\nimport torch\n',
        'models/heads/emim_head.py': 'from mmaction_ext.models.backbones import video_focalnet\n',
        'models/backbones/video_focalnet.py': 'from ..layers import good_layer\n',
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    found = violations(root)
    assert len(found) == 3, found
    assert any('structures/__init__.py:1 imports mmaction_ext.models.layers' in f for f in found)
    assert any('bad_layer.py:1 imports mmaction_ext.models.backbones.video_focalnet' in f for f in found)
    assert any("emim's modules may not import video_focalnet's" in f for f in found)


def test_import_mmaction_ext_leaves_out_the_demo_generator():
    code = ('import sys, mmaction_ext; '
            "print(sorted(m for m in sys.modules if m.startswith('mmaction_ext.datasets.synthetic')))")
    result = subprocess.run([sys.executable, '-c', code], cwd=osp.dirname(REPO_ROOT), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == '[]'
