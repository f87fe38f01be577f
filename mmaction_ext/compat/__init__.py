"""Monkey patches for upstream breakages of the mmaction2 1.2.0 stack on current torch/numpy/setuptools.

Only patches live here, each removable once its upstream fix is released; each names its upstream issue,
and ``docs/install.md`` lists them with the pins that go with them. Safe file reading itself is
:mod:`mmaction_ext.fileio`.
"""
import importlib.util
import warnings

from .checkpoint_loading import install_safe_local_loader
from .distributed import adapt_config_for_cpu_distributed, install_cpu_distributed_init
from .drn import DRN_UNAVAILABLE, drn_is_missing, install_drn_placeholder

__all__ = [
    'apply_compat_fixes', 'install_safe_local_loader', 'install_drn_placeholder', 'drn_is_missing',
    'DRN_UNAVAILABLE', 'adapt_config_for_cpu_distributed', 'install_cpu_distributed_init'
]


def _warn_about_unpinned_environment():
    # Pins live in setup.py; these warnings catch environments that bypassed them.
    import numpy
    if int(numpy.__version__.split('.')[0]) >= 2:
        warnings.warn(
            f'numpy {numpy.__version__} is installed; mmaction2 1.2.0 has NumPy-2 bugs '
            '(ColorJitter overflow, MultiSports video-mAP, np.Inf/np.trapz). '
            "Install 'numpy<2' (see docs/install.md).", stacklevel=3)
    if importlib.util.find_spec('pkg_resources') is None:
        warnings.warn(
            'pkg_resources is missing (setuptools >= 82): mmengine 0.10.7 then cannot resolve '
            "'mmaction::' base configs. Install 'setuptools<82' (see docs/install.md).",
            stacklevel=3)


def apply_compat_fixes():
    """Apply every runtime fix. Idempotent; called by ``import mmaction_ext``."""
    install_drn_placeholder()
    install_safe_local_loader()
    install_cpu_distributed_init()
    _warn_about_unpinned_environment()
