from .clip_vision import (CLIP_VISION_ARCHS, STAdapter, attention_with_extra_queries, build_clip_visual,
                          load_clip_visual_state_dict, packed_attention, read_clip_state_dict)
from .deformable_attention_3d import (DeformableEncoder3D, DeformableEncoderLayer3D, MultiScaleDeformableAttention3D,
                                      ms_deform_attn_3d, sine_positional_encoding_3d)
from .emim_attention import EMIMAttention
from .focal_modulation import SpatioTemporalFocalModulation
from .token_norm import TokenBatchNorm

__all__ = ['CLIP_VISION_ARCHS', 'DeformableEncoder3D', 'DeformableEncoderLayer3D', 'EMIMAttention',
           'MultiScaleDeformableAttention3D', 'STAdapter', 'SpatioTemporalFocalModulation', 'TokenBatchNorm',
           'attention_with_extra_queries', 'build_clip_visual', 'load_clip_visual_state_dict', 'ms_deform_attn_3d',
           'packed_attention', 'read_clip_state_dict', 'sine_positional_encoding_3d']
