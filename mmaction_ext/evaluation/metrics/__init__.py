from .tube_map import ActionTubeMetric, FrameMAP, VideoMAP

__all__ = ['ActionTubeMetric', 'FrameMAP', 'VideoMAP']
