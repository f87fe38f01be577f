from . import motion_demo
from .transforms import *  # noqa: F401,F403

__all__ = ['motion_demo']
