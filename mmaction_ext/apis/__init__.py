"""Inference on a user's own video: build a model from a config and a checkpoint, predict a video file or a frame
folder (recognizers: top-k classes; tube detectors: linked tubes in the video's pixels). ``docs/inference.md``."""
from .inference import (TubeLinker, detector_clips, inference, init_model, is_tube_detector, recognizer_batch,
                        test_pipeline)
from .video_source import VideoSource, frame_name_template

__all__ = ['init_model', 'inference', 'is_tube_detector', 'test_pipeline', 'recognizer_batch',
           'detector_clips', 'TubeLinker', 'VideoSource', 'frame_name_template']
