from .art_head import ARTHead
from .art_rssa import RegionSemanticsActivation, aggregate_tracklets
from .art_semantic_bank import ARTSemanticBank
from .csa_decoder import ClassifyingDecoderLayer, CSADecoder, LocalizingDecoderLayer
from .focusvideo_head import FocusVideoHead
from .video_focalnet_head import VideoFocalNetHead

__all__ = ['ARTHead', 'ARTSemanticBank', 'CSADecoder', 'ClassifyingDecoderLayer', 'FocusVideoHead',
           'LocalizingDecoderLayer', 'RegionSemanticsActivation', 'VideoFocalNetHead', 'aggregate_tracklets']
