from .emim_uniformer import EMIMBlock, UniFormerEMIM
from .emim_vit import EMIMViTBlock, VisionTransformerEMIM
from .video_focalnet import VideoFocalNet

__all__ = ['EMIMBlock', 'UniFormerEMIM', 'EMIMViTBlock', 'VisionTransformerEMIM', 'VideoFocalNet']
