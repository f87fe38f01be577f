"""mmengine 0.10.7 cannot load its own Runner checkpoints on torch >= 2.6.

torch 2.6 made ``torch.load(weights_only=True)`` the default. mmengine 0.10.7 calls ``torch.load`` without
``weights_only``, so the full checkpoints its own Runner writes (message hub with ``HistoryBuffer`` objects
and numpy scalars) no longer load and ``--resume`` breaks (open-mmlab/mmengine#1655; fixed on mmengine main
by #1670 with a blanket ``weights_only=False``, unreleased). Instead of turning the safety off, mmengine's
local loader is routed through :func:`mmaction_ext.fileio.load_checkpoint_safely` (allow-list, clear errors).
Removable once mmengine loads its checkpoints with an allow-list of its own.
"""
from mmengine.runner.checkpoint import CheckpointLoader

from ..fileio import load_checkpoint_safely


def load_from_local(filename, map_location):
    """mmengine loader for local paths (named like mmengine's own for its log line)."""
    return load_checkpoint_safely(filename, map_location)


def install_safe_local_loader():
    """Route mmengine's local checkpoint loading through the safe loader.

    ``CheckpointLoader`` serves ``load_checkpoint``, ``init_cfg=Pretrained``, ``Runner.load_checkpoint`` and
    ``Runner.resume`` alike, so replacing the loader of the empty prefix covers every local path.
    """
    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
