"""Helpers several models share (nothing paper-specific)."""
from .weights import compare_state_dict_shapes, load_state_dict_logged, summarise_keys

__all__ = ['compare_state_dict_shapes', 'load_state_dict_logged', 'summarise_keys']
