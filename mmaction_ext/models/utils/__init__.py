"""Helpers several models share (nothing paper-specific)."""
from .weights import load_state_dict_logged, summarise_keys

__all__ = ['load_state_dict_logged', 'summarise_keys']
