from .best_checkpoint_link_hook import BestCheckpointLinkHook
from .epoch_seed_hook import EpochSeedHook
from .memory_format_hook import MemoryFormatHook
from .text_bank_ema_hook import TextBankEMAHook

__all__ = ['BestCheckpointLinkHook', 'EpochSeedHook', 'MemoryFormatHook', 'TextBankEMAHook']
