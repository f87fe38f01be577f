"""mmaction-ext: an MMAction2 plugin package.

``import mmaction_ext`` (or ``custom_imports=dict(imports=['mmaction_ext'])`` in a
config) applies the stack's compatibility fixes and registers every module of
this package into MMAction2's registries (``mmaction`` scope).
"""
from .version import __version__
from .compat import apply_compat_fixes

apply_compat_fixes()

from . import datasets, engine, evaluation, models  # noqa: E402,F401  (registers modules)
from .utils import describe_environment  # noqa: E402

__all__ = ['__version__', 'describe_environment']
