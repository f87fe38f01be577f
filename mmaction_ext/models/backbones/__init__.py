from .clip_vit import CLIPViT
from .emim_uniformer import EMIMBlock, UniFormerEMIM
from .emim_vit import EMIMViTBlock, VisionTransformerEMIM
from .focusvideo_clip import FocusVideoCLIP, LocalSpatioTemporalLayer, QueryPropagationLayer
from .focusvideo_query_injection import QueryInjection
from .tea_res2net import MotionExcitation, TEABottle2neck, TEAResNet, TemporalShiftConv
from .uniformerv2_tokens import UniFormerV2Tokens
from .video_focalnet import VideoFocalNet

__all__ = ['CLIPViT', 'EMIMBlock', 'EMIMViTBlock', 'FocusVideoCLIP', 'LocalSpatioTemporalLayer', 'MotionExcitation',
           'QueryInjection', 'QueryPropagationLayer', 'TEABottle2neck', 'TEAResNet', 'TemporalShiftConv',
           'UniFormerEMIM', 'UniFormerV2Tokens', 'VideoFocalNet', 'VisionTransformerEMIM']
