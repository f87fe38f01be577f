from . import motion_demo
from .action_tube_dataset import ActionTubeDataset, JHMDBTubeDataset, UCF24TubeDataset, load_act_annotations
from .transforms import *  # noqa: F401,F403
from .tube_annotations import convert_ucf24_pyannot, read_per_frame_gt

__all__ = ['motion_demo', 'ActionTubeDataset', 'JHMDBTubeDataset', 'UCF24TubeDataset', 'load_act_annotations',
           'convert_ucf24_pyannot', 'read_per_frame_gt']
