from .color import AspectRandomCrop, ClipColorJitter, HSVJitter, PCALighting
from .frame_features import FrameFeatureStore, LoadFrameFeatureTargets, SampleAllFrames
from .loading import VideoDecode, VideoInit
from .rand_augment import ClipRandAugment
from .tube_transforms import (PackTubeInputs, TubeAspectRandomCrop, TubeCenterCrop, TubeFlip, TubeRandomCrop,
                              TubeRandomResizedCrop, TubeResize)
from .video_reader import VideoBackendFallbackWarning, VideoDecodeError, open_video

__all__ = [
    'AspectRandomCrop', 'ClipColorJitter', 'ClipRandAugment', 'HSVJitter', 'PCALighting', 'TubeAspectRandomCrop',
    'FrameFeatureStore', 'LoadFrameFeatureTargets', 'SampleAllFrames', 'VideoInit', 'VideoDecode', 'open_video',
    'VideoDecodeError', 'VideoBackendFallbackWarning', 'PackTubeInputs', 'TubeCenterCrop', 'TubeFlip', 'TubeRandomCrop',
    'TubeRandomResizedCrop', 'TubeResize'
]
