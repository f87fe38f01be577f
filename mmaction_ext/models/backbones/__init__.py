from .emim_uniformer import EMIMBlock, UniFormerEMIM
from .video_focalnet import VideoFocalNet

__all__ = ['EMIMBlock', 'UniFormerEMIM', 'VideoFocalNet']
