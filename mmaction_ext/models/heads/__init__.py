from .video_focalnet_head import VideoFocalNetHead

__all__ = ['VideoFocalNetHead']
