from .cli import add_common_arguments, build_model, build_runner, load_config, parse_tool_args, run_tool
from .hooks import *  # noqa: F401,F403
from .optim_wrappers import DeviceAmpOptimWrapper, amp_device_available
from .schedulers import *  # noqa: F401,F403

__all__ = [
    'DeviceAmpOptimWrapper', 'amp_device_available', 'add_common_arguments', 'build_model', 'build_runner',
    'load_config', 'parse_tool_args', 'run_tool'
]
