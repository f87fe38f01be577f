import importlib.metadata as metadata

_PACKAGES = ('torch', 'torchvision', 'numpy', 'mmcv', 'mmengine', 'mmaction2', 'mmdet', 'torchcodec', 'decord', 'av')


def describe_environment() -> str:
    """One line with the versions of the stack, for logs and bug reports."""
    parts = []
    for name in _PACKAGES:
        try:
            parts.append(f'{name} {metadata.version(name)}')
        except metadata.PackageNotFoundError:
            parts.append(f'{name} missing')
    return ', '.join(parts)
