from .act_annotations import convert_ucf24_pyannot, load_act_annotations, read_per_frame_gt
from .action_tube_dataset import ActionTubeDataset, JHMDBTubeDataset, UCF24TubeDataset
from .motion_demo_dataset import EpochIndexSampler, MotionDemoAVADataset, MotionDemoDataset, MotionDemoTubeDataset
from .repeat_aug_dataset import RepeatAugRawframeDataset, RepeatAugVideoDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['ActionTubeDataset', 'EpochIndexSampler', 'MotionDemoAVADataset', 'MotionDemoDataset', 'MotionDemoTubeDataset', 'JHMDBTubeDataset', 'UCF24TubeDataset', 'RepeatAugRawframeDataset',
           'RepeatAugVideoDataset', 'load_act_annotations',
           'convert_ucf24_pyannot', 'read_per_frame_gt']
