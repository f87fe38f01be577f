from .hooks import *  # noqa: F401,F403
from .runner import build_runner, load_config, run_tool

__all__ = ['build_runner', 'load_config', 'run_tool']
