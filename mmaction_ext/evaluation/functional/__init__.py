from .average_precision import CONVENTIONS, VIDEO_IOU_RANGE, average_precision, frame_ap, video_ap
from .tube_linking import (LINKERS, build_video_tubes, check_link_options, link_option_names, link_tubes_greedy,
                           link_tubes_viterbi)

__all__ = [
    'CONVENTIONS', 'VIDEO_IOU_RANGE', 'average_precision', 'frame_ap', 'video_ap', 'LINKERS', 'build_video_tubes',
    'check_link_options', 'link_option_names', 'link_tubes_greedy', 'link_tubes_viterbi'
]
