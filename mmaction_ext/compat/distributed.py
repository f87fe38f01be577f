"""Distributed training on machines without a GPU (torchrun + gloo).

mmengine 0.10.7's ``_init_dist_pytorch`` calls ``torch.cuda.set_device``
unconditionally, which raises on a machine without a CUDA device, and its
Runner wraps the model in DDP with ``device_ids=[LOCAL_RANK]``, which torch
rejects for a CPU module. MMAction2's default runtime also asks for NCCL.
No upstream issue tracks CPU training with the pytorch launcher; both fixes
are no-ops when CUDA is available.
"""
import warnings

import torch
import torch.distributed as torch_dist
from mmengine.dist import utils as dist_utils

_original_init_dist_pytorch = dist_utils._init_dist_pytorch


def _init_dist_pytorch(backend, init_backend='torch', **kwargs):
    if torch.cuda.is_available() or init_backend != 'torch':
        return _original_init_dist_pytorch(backend, init_backend=init_backend, **kwargs)
    if backend != 'gloo':
        warnings.warn(f'no CUDA device: using the gloo backend instead of {backend!r}', stacklevel=2)
    torch_dist.init_process_group(backend='gloo', **kwargs)


def install_cpu_distributed_init():
    """Let mmengine's ``init_dist('pytorch')`` work without a CUDA device."""
    dist_utils._init_dist_pytorch = _init_dist_pytorch


def adapt_config_for_cpu_distributed(cfg):
    """Config changes a distributed run without CUDA needs (no-op with CUDA or launcher none).

    Sets the gloo backend and a DDP wrapper without ``device_ids``; keeps a
    ``model_wrapper_cfg`` the config already has.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return cfg
    env_cfg = cfg.setdefault('env_cfg', {})
    env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    # torch's SyncBatchNorm runs on CUDA only: on CPU processes each BatchNorm keeps its own statistics
    cfg.pop('sync_bn', None)
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel', device_ids=None, broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    return cfg
