from .cli import add_common_arguments, build_model, build_runner, load_config, parse_tool_args, run_tool
from .hooks import *  # noqa: F401,F403

__all__ = ['add_common_arguments', 'build_model', 'build_runner', 'load_config', 'parse_tool_args', 'run_tool']
