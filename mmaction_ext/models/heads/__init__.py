from .csa_decoder import ClassifyingDecoderLayer, CSADecoder, LocalizingDecoderLayer
from .video_focalnet_head import VideoFocalNetHead

__all__ = ['ClassifyingDecoderLayer', 'CSADecoder', 'LocalizingDecoderLayer', 'VideoFocalNetHead']
