from .loading import VideoDecode, VideoInit
from .video_reader import VideoBackendFallbackWarning, VideoDecodeError, open_video

__all__ = ['VideoInit', 'VideoDecode', 'open_video', 'VideoDecodeError', 'VideoBackendFallbackWarning']
