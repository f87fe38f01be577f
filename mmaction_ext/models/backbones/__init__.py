from .clip_vit import CLIPViT
from .emim_uniformer import EMIMBlock, UniFormerEMIM
from .emim_vit import EMIMViTBlock, VisionTransformerEMIM
from .focusvideo_clip import FocusVideoCLIP, LocalSpatioTemporalLayer, QueryPropagationLayer
from .focusvideo_query_injection import QueryInjection
from .video_focalnet import VideoFocalNet

__all__ = ['CLIPViT', 'EMIMBlock', 'EMIMViTBlock', 'FocusVideoCLIP', 'LocalSpatioTemporalLayer',
           'QueryInjection', 'QueryPropagationLayer', 'UniFormerEMIM', 'VideoFocalNet', 'VisionTransformerEMIM']
