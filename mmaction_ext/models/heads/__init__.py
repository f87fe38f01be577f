from .csa_decoder import ClassifyingDecoderLayer, CSADecoder, LocalizingDecoderLayer
from .video_focalnet_head import VideoFocalNetHead
from .focusvideo_head import FocusVideoHead

__all__ = ['CSADecoder', 'ClassifyingDecoderLayer', 'FocusVideoHead', 'LocalizingDecoderLayer', 'VideoFocalNetHead']
