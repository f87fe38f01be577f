"""Helpers several models share (nothing paper-specific)."""
from .complexity import count_gmacs, count_gmacs_meta, sdpa_macs
from .weights import compare_state_dict_shapes, load_state_dict_logged, require_pretrained_file, summarise_keys

__all__ = ['compare_state_dict_shapes', 'count_gmacs', 'count_gmacs_meta', 'sdpa_macs', 'load_state_dict_logged',
           'require_pretrained_file', 'summarise_keys']
