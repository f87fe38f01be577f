from .csa_decoder import ClassifyingDecoderLayer, CSADecoder, LocalizingDecoderLayer
from .focusvideo_head import FocusVideoHead
from .video_focalnet_head import VideoFocalNetHead

__all__ = ['CSADecoder', 'ClassifyingDecoderLayer', 'FocusVideoHead', 'LocalizingDecoderLayer', 'VideoFocalNetHead']
