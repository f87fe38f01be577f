from .deformable_attention_3d import (DeformableEncoder3D, DeformableEncoderLayer3D, MultiScaleDeformableAttention3D,
                                      ms_deform_attn_3d, sine_positional_encoding_3d)
from .emim_attention import EMIMAttention
from .focal_modulation import SpatioTemporalFocalModulation

__all__ = ['DeformableEncoder3D', 'DeformableEncoderLayer3D', 'EMIMAttention', 'MultiScaleDeformableAttention3D',
           'SpatioTemporalFocalModulation', 'ms_deform_attn_3d', 'sine_positional_encoding_3d']
