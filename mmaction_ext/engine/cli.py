"""What the command-line tools share: their common arguments, config loading, runner building, and
one-line reports of input errors instead of library tracebacks."""
import argparse
import inspect
import os
import os.path as osp
import re
import sys
from typing import List, Optional

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from ..compat import adapt_config_for_cpu_distributed
from ..datasets.transforms import VideoDecodeError
from ..fileio import FileReadError
from ..utils import unknown_name_message

# Errors that describe bad input (a config, a file, a checkpoint) well enough on their own.
USER_ERRORS = (FileNotFoundError, KeyError, ValueError, FileReadError, VideoDecodeError)


def add_common_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The arguments every runner tool takes after its own: ``--work-dir``, ``--cfg-options``,
    ``--launcher`` and ``--local_rank`` (as in MMAction2's tools)."""
    parser.add_argument('--work-dir', help='the directory for logs, checkpoints and metrics')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config entries, e.g. train_cfg.max_epochs=3')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser


def parse_tool_args(parser: argparse.ArgumentParser, argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse ``argv``; exports ``LOCAL_RANK`` from ``--local_rank`` unless the launcher set it."""
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def load_config(path, cfg_options=None, work_dir=None, launcher='none'):
    """``Config.fromfile`` plus the overrides every tool applies.

    ``work_dir`` defaults to ``./work_dirs/<config name>`` as in MMAction2; a distributed run without CUDA is
    switched to gloo and a CPU DDP wrapper.
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


class _InitDumpFilter:
    """Drops mmengine's per-parameter initialisation report (``BaseModule._dump_init_info``), which goes to the
    console, one record per parameter, when no log file is open: hundreds of lines before a tool's output."""

    @staticmethod
    def filter(record) -> bool:
        message = record.getMessage()
        return not (message.startswith('\n') and ' - torch.Size(' in message.split('\n', 2)[1])


def build_model(cfg, checkpoint: str = 'none', before_weights=None):
    """``cfg.model`` for a tool that runs it outside a Runner: built in the config's default scope,
    ``before_weights(model)`` (argument checks that need the built model, before any file is read), its
    ``init_weights`` (pretrained files), then ``checkpoint`` unless it is ``'none'``; in eval mode."""
    from mmaction.registry import MODELS
    from mmengine.logging import MMLogger
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    if checkpoint != 'none' and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
    init_default_scope(cfg.get('default_scope', 'mmaction'))
    model = MODELS.build(cfg.model)
    if before_weights is not None:
        before_weights(model)
    logger = MMLogger.get_current_instance()
    logger.addFilter(_InitDumpFilter)
    try:
        model.init_weights()
    finally:
        logger.removeFilter(_InitDumpFilter)
    if checkpoint != 'none':
        load_checkpoint(model, checkpoint, map_location='cpu')
    return model.eval()


def build_runner(cfg):
    """The default Runner, or the one named by ``runner_type``."""
    return RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)


_UNKNOWN_ARGUMENT = re.compile(r"(\w+)\.__init__\(\) got an unexpected keyword argument '(\w+)'")
_MISSING_ARGUMENT = re.compile(r'(\w+)\.__init__\(\) missing \d+ required (?:positional |keyword-only )?'
                               r'arguments?: (.+)$')


def constructor_argument_names(cls) -> List[str]:
    """Keyword arguments ``cls(...)`` accepts: its ``__init__``'s, and its bases' while each passes
    ``**kwargs`` on."""
    names = []
    for klass in cls.__mro__:
        if klass is object or '__init__' not in vars(klass):
            continue
        parameters = inspect.signature(klass.__init__).parameters.values()
        names += [p.name for p in parameters if p.name != 'self' and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        if not any(p.kind == p.VAR_KEYWORD for p in parameters):
            break
    return list(dict.fromkeys(names))


def _class_being_built(error: BaseException):
    """The class mmengine's ``build_from_cfg`` was constructing when ``error`` was raised (the innermost
    build, e.g. the backbone a recognizer builds), read from the traceback; None outside a build."""
    cls, tb = None, error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == 'build_from_cfg' and 'mmengine' in code.co_filename:
            cls = tb.tb_frame.f_locals.get('obj_cls', cls)
        tb = tb.tb_next
    return cls if inspect.isclass(cls) else None


def describe_construction_error(error: TypeError) -> Optional[str]:
    """One line for a config that gives a module an argument it does not take (or omits a required one):
    the module, the key and the closest valid name. None for any other TypeError."""
    cls = _class_being_built(error)
    message = str(error)
    unknown, missing = _UNKNOWN_ARGUMENT.search(message), _MISSING_ARGUMENT.search(message)
    found = unknown or missing
    # Only a complaint about the constructor of the class being built (or of a base it passes **kwargs to);
    # a TypeError from code deeper inside that constructor is a bug, not a config error.
    if cls is None or found is None or found.group(1) not in {klass.__name__ for klass in cls.__mro__}:
        return None
    where = f'{cls.__name__} ({cls.__module__})'
    if unknown:
        return f'{where}: ' + unknown_name_message(unknown.group(2), constructor_argument_names(cls), 'argument')
    return f'{where}: missing required argument(s) {missing.group(2)}'


def _report(kind: str, message) -> None:
    print(f'error: {kind}: {message}', file=sys.stderr)
    print('(set MMACTION_EXT_TRACEBACK=1 for the full traceback)', file=sys.stderr)
    sys.exit(1)


def _close_process_group():
    """Wait for every rank, then close the process group. A rank that exits while another still
    writes its checkpoints can abort in the gloo group's destructor ("terminate called without an
    active exception"), and torchrun then reports the whole run as failed."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def run_tool(main):
    """Run a tool's ``main``; report input errors in one line instead of a library traceback.

    Set ``MMACTION_EXT_TRACEBACK=1`` to see the full traceback.
    """
    try:
        main()
        _close_process_group()
    except USER_ERRORS as error:
        if os.environ.get('MMACTION_EXT_TRACEBACK'):
            raise
        _report(type(error).__name__, error.args[0] if isinstance(error, KeyError) and error.args else error)
    except TypeError as error:
        described = describe_construction_error(error)
        if described is None or os.environ.get('MMACTION_EXT_TRACEBACK'):
            raise
        _report('config', described)
