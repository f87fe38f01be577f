from .ava_metric import OnlineAVAMetric, write_ava_label_map
from .tube_map import ActionTubeMetric, FrameMAP, VideoMAP

__all__ = ['ActionTubeMetric', 'FrameMAP', 'OnlineAVAMetric', 'VideoMAP', 'write_ava_label_map']
