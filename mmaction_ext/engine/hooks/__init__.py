from .epoch_seed_hook import EpochSeedHook
from .memory_format_hook import MemoryFormatHook

__all__ = ['EpochSeedHook', 'MemoryFormatHook']
