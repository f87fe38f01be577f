from .video_focalnet import VideoFocalNet

__all__ = ['VideoFocalNet']
