from collections import OrderedDict
from typing import Sequence

from ...compat import FOREIGN_CONFIG_GLOBALS, CheckpointError, load_checkpoint_safely


def load_official_state_dict(filename: str, drop_prefixes: Sequence[str] = (),
                             strip_prefixes: Sequence[str] = ()) -> 'OrderedDict':
    """The model weights of a research checkpoint, read safely.

    Accepts a bare state_dict or a dict holding it under ``model``,
    ``state_dict`` or ``module`` (official training scripts, mmengine). The
    training config such files often pickle (a yacs ``CfgNode``, an
    ``argparse.Namespace``) is read as inert data, without yacs and without
    running any pickled code; anything else outside the allow-list is refused.

    Args:
        filename (str): Checkpoint path.
        drop_prefixes (Sequence[str]): Keys starting with these are left out
            (checked after stripping).
        strip_prefixes (Sequence[str]): Leading prefixes removed from keys.
    """
    checkpoint = load_checkpoint_safely(filename, map_location='cpu', extra_safe_globals=FOREIGN_CONFIG_GLOBALS)
    return extract_state_dict(checkpoint, filename, drop_prefixes, strip_prefixes)


def extract_state_dict(checkpoint, filename: str, drop_prefixes: Sequence[str] = (),
                       strip_prefixes: Sequence[str] = ()) -> 'OrderedDict':
    """The weights inside an already loaded checkpoint (see :func:`load_official_state_dict`);
    ``filename`` only names the file in errors."""
    state_dict = checkpoint
    if isinstance(checkpoint, dict):
        for key in ('model', 'state_dict', 'module'):
            if isinstance(checkpoint.get(key), dict):
                state_dict = checkpoint[key]
                break
    if not isinstance(state_dict, dict) or not all(hasattr(v, 'shape') for v in state_dict.values()):
        raise CheckpointError(f'{filename} holds no state_dict (looked at the file itself and at its '
                              "'model', 'state_dict' and 'module' entries)")
    result = OrderedDict()
    for key, value in state_dict.items():
        for prefix in strip_prefixes:
            if key.startswith(prefix):
                key = key[len(prefix):]
        if not key.startswith(tuple(drop_prefixes)):
            result[key] = value
    return result
