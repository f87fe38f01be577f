from .emim_attention import EMIMAttention
from .focal_modulation import SpatioTemporalFocalModulation

__all__ = ['EMIMAttention', 'SpatioTemporalFocalModulation']
