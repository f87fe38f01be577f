from .frame_features import FrameFeatureStore, LoadFrameFeatureTargets, SampleAllFrames
from .loading import VideoDecode, VideoInit
from .tube_transforms import (PackTubeInputs, TubeCenterCrop, TubeFlip, TubeRandomCrop, TubeRandomResizedCrop,
                              TubeResize)
from .video_reader import VideoBackendFallbackWarning, VideoDecodeError, open_video

__all__ = ['FrameFeatureStore', 'LoadFrameFeatureTargets', 'SampleAllFrames', 'VideoInit', 'VideoDecode',
           'open_video', 'VideoDecodeError', 'VideoBackendFallbackWarning', 'PackTubeInputs', 'TubeCenterCrop',
           'TubeFlip', 'TubeRandomCrop', 'TubeRandomResizedCrop', 'TubeResize']
