"""What tools/train.py and tools/test.py share: config loading, runner building, error reporting."""
import os
import os.path as osp
import sys

from mmengine.config import Config
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ..compat import CheckpointError, adapt_config_for_cpu_distributed
from ..datasets.transforms import VideoDecodeError

# Errors that describe bad input (a config, a file, a checkpoint) well enough on their own.
USER_ERRORS = (FileNotFoundError, KeyError, ValueError, CheckpointError, VideoDecodeError)


def load_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """``Config.fromfile`` plus the overrides every tool applies.

    ``work_dir`` defaults to ``./work_dirs/<config name>`` as in MMAction2; a
    distributed run without CUDA is switched to gloo and a CPU DDP wrapper.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(path))[0])
    return adapt_config_for_cpu_distributed(cfg)


def build_runner(cfg):
    """The default Runner, or the one named by ``runner_type``."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)


def run_tool(main):
    """Run a tool's ``main``; report input errors in one line instead of a library traceback.

    Set ``MMACTION_EXT_TRACEBACK=1`` to see the full traceback.
    """
    try:
        main()
    except USER_ERRORS as error:
        if os.environ.get('MMACTION_EXT_TRACEBACK'):
            raise
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f'error: {type(error).__name__}: {message}', file=sys.stderr)
        print('(set MMACTION_EXT_TRACEBACK=1 for the full traceback)', file=sys.stderr)
        sys.exit(1)
