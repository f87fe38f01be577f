"""Train configs under ``MMDistributedDataParallel`` as ``tools/dist_train.sh CONFIG 2`` does (2 CPU processes,
gloo, mmengine's default ``find_unused_parameters=False``): two iterations each, so that a parameter left without
a gradient by the first one fails the second, as it would on a user's GPUs.

    torchrun --nproc_per_node 2 tests/helpers/ddp_smoke.py ROOT OUT.json CONFIG [CONFIG ...]

ROOT holds the configs' data (written by ``tests/configs/test_config_smoke.py``); OUT.json gets, per config,
``"ok"`` or the error with its traceback (rank 0 writes it). One process group serves every config.
"""
import json
import os
import os.path as osp
import sys
import time
import traceback
from datetime import timedelta

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # tests/ (helpers)
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # the repo


def train_distributed(path: str, root: str) -> None:
    from mmengine.runner import Runner

    from helpers.config_smoke import smoke_config, unformatted_config_text
    name = osp.basename(path)[:-3]
    os.chdir(root)
    with unformatted_config_text():
        cfg = smoke_config(path, work_dir=osp.join('work_dirs_ddp', name), launcher='pytorch')
        cfg.train_cfg.max_epochs = 2  # one sample per process and epoch: two iterations
        cfg.train_dataloader.batch_size = 1
        cfg.train_cfg.val_interval = 3
        cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=10)
        cfg.custom_hooks = [hook for hook in cfg.get('custom_hooks', []) if hook['type'] != 'BestCheckpointLinkHook']
        wrapper = cfg.model_wrapper_cfg
        assert wrapper.type == 'MMDistributedDataParallel' and not wrapper.find_unused_parameters, wrapper
        Runner.from_cfg(cfg).train()


def main(argv=None):
    import torch.distributed as dist

    import mmaction_ext  # noqa: F401
    root, out, *paths = argv if argv is not None else sys.argv[1:]
    dist.init_process_group('gloo', timeout=timedelta(seconds=180))
    rank = dist.get_rank()
    results = {}
    for index, path in enumerate(paths):
        started = time.time()
        try:
            train_distributed(path, root)
            results[path] = 'ok'
        except Exception:  # noqa: BLE001 (reported per config)
            results[path] = traceback.format_exc()[-4000:]
        gathered = [None] * dist.get_world_size()
        dist.all_gather_object(gathered, results[path])
        results[path] = next((r for r in gathered if r != 'ok'), 'ok')
        if rank == 0:
            with open(out, 'w') as f:
                json.dump(results, f, indent=1)
            print(f'[{index + 1}/{len(paths)}] {osp.basename(path)}: {time.time() - started:.1f} s', flush=True)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == '__main__':
    main()
