"""Loading a state_dict into a module with the key mismatches logged, for every model's pretrained path."""
import os.path as osp
from typing import List, Mapping, Sequence, Tuple

from mmengine.logging import MMLogger
from torch import nn


def summarise_keys(keys: Sequence[str], limit: int = 8) -> str:
    """The first ``limit`` keys and how many more there are."""
    keys = list(keys)
    return ', '.join(keys[:limit]) + (f', ... ({len(keys) - limit} more)' if len(keys) > limit else '')


def require_pretrained_file(filename: str, owner: str, how_to_get: str, switch: str) -> None:
    """Fail before training when a configured pretrained file is missing, naming the file, how to get it and the
    explicit switch that trains from scratch instead (configs never fall back to random weights silently).

    Raises:
        FileNotFoundError: ``filename`` is not a file.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{owner}: pretrained weights {filename} not found. {how_to_get} To train from '
                                f'scratch instead, set {switch}=None.')


def load_state_dict_logged(module: nn.Module, state_dict: Mapping, source: str) -> Tuple[List[str], List[str]]:
    """``module.load_state_dict(state_dict, strict=False)``, logging how many tensors came from ``source``
    and which keys are missing (they keep their init) or unexpected (ignored).

    Returns:
        tuple[list[str], list[str]]: missing and unexpected keys.
    """
    missing, unexpected = module.load_state_dict(state_dict, strict=False)
    name = type(module).__name__
    logger = MMLogger.get_current_instance()
    logger.info(f'{name}: loaded {len(state_dict) - len(unexpected)} tensors from {source}')
    if missing:
        logger.warning(f'{name}: {len(missing)} keys not in {source} keep their init: {summarise_keys(missing)}')
    if unexpected:
        logger.warning(f'{name}: {len(unexpected)} unexpected keys in {source} ignored: '
                       f'{summarise_keys(unexpected)}')
    return list(missing), list(unexpected)


def compare_state_dict_shapes(state_dict: Mapping, reference: Mapping) -> Tuple[List[str], List[str], List[str]]:
    """Keys and shapes of a converted ``state_dict`` against ``reference`` (key -> shape, a model's state
    dict): sorted ``missing``, ``unexpected`` and ``mismatched`` (``'key: file (..) vs model (..)'``)."""
    missing = sorted(set(reference) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(reference))
    mismatched = sorted(f'{k}: file {tuple(state_dict[k].shape)} vs model {tuple(reference[k])}'
                        for k in set(reference) & set(state_dict)
                        if tuple(state_dict[k].shape) != tuple(reference[k]))
    return missing, unexpected, mismatched
