from .ava_metric import OnlineAVAMetric
from .tube_map import ActionTubeMetric, FrameMAP, VideoMAP

__all__ = ['ActionTubeMetric', 'FrameMAP', 'OnlineAVAMetric', 'VideoMAP']
