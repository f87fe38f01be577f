"""AVA annotation files written by this package: the label map that MMAction2's ``ava_eval`` reads."""
from typing import Sequence


def write_ava_label_map(path: str, class_names: Sequence[str]) -> None:
    """An AVA label map (``item { name, id }``, ids from 1) for ``class_names``, as ``ava_eval`` reads it."""
    with open(path, 'w') as f:
        for label, name in enumerate(class_names, 1):
            f.write(f'item {{\n  name: "{name}"\n  id: {label}\n}}\n')
