"""Keep ``mmaction.models`` importable although the 1.2.0 wheel lacks DRN.

The PyPI wheel (and sdist) of mmaction2 1.2.0 ship without
``mmaction/models/localizers/drn/`` while ``localizers/__init__.py`` still
imports it, so ``import mmaction.models`` raises ``ModuleNotFoundError``
(open-mmlab/mmaction2#2714, open). Nothing in this project uses DRN, so instead
of vendoring it we put two small modules in ``sys.modules`` under its names:
the import chain then succeeds, and building ``type='DRN'`` raises an error
that says what happened and how to get the real model.
"""
import importlib.util
import os.path as osp
import sys
import types

DRN_MODULE = 'mmaction.models.localizers.drn'
DRN_UNAVAILABLE = (
    'DRN is unavailable: the installed mmaction2 lacks '
    'mmaction/models/localizers/drn (a packaging bug of the 1.2.0 wheel, '
    'open-mmlab/mmaction2#2714). Install mmaction2 from a source checkout '
    'that contains that folder to use DRN.')


def drn_is_missing() -> bool:
    """Whether the installed mmaction2 lacks the DRN package on disk.

    Looks at the files rather than importing, because importing any
    ``mmaction.models`` submodule runs the broken ``__init__`` chain.
    """
    spec = importlib.util.find_spec('mmaction')
    if spec is None or not spec.submodule_search_locations:
        return False
    for root in spec.submodule_search_locations:
        if osp.isfile(osp.join(root, 'models', 'localizers', 'drn', '__init__.py')):
            return False
    return True


def install_drn_placeholder() -> bool:
    """Register the placeholder modules if DRN is missing.

    Returns:
        bool: True if the placeholder was installed by this call.
    """
    if DRN_MODULE in sys.modules or not drn_is_missing():
        return False
    if 'mmaction.models' in sys.modules:
        # mmaction.models already imported (it can only have succeeded if a
        # DRN existed, or it is half-initialised after a failure): leave it.
        return False

    from mmaction.registry import MODELS
    from torch import nn

    class DRN(nn.Module):
        """Stands in for mmaction2's DRN, which the installed wheel lacks."""

        def __init__(self, *args, **kwargs):
            raise ImportError(DRN_UNAVAILABLE)

    package = types.ModuleType(DRN_MODULE)
    package.__path__ = []  # a package, so that ``drn.drn`` can be a submodule
    package.__doc__ = DRN_UNAVAILABLE
    module = types.ModuleType(DRN_MODULE + '.drn')
    module.DRN = DRN
    module.__doc__ = DRN_UNAVAILABLE
    DRN.__module__ = module.__name__
    package.drn = module
    sys.modules[package.__name__] = package
    sys.modules[module.__name__] = module
    MODELS.register_module(name='DRN', module=DRN, force=True)
    return True
