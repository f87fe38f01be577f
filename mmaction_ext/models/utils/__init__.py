from .checkpoint import extract_state_dict, load_official_state_dict
from .video_focalnet_convert import convert_video_focalnet, infer_video_focalnet_arch

__all__ = ['extract_state_dict', 'load_official_state_dict', 'convert_video_focalnet', 'infer_video_focalnet_arch']
