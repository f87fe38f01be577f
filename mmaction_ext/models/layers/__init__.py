from .focal_modulation import SpatioTemporalFocalModulation

__all__ = ['SpatioTemporalFocalModulation']
