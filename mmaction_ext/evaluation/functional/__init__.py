from .average_precision import VIDEO_IOU_RANGE, average_precision, frame_ap, video_ap
from .conventions import CONVENTIONS, EvalConvention, resolve_convention
from .tube_linking import (LINKERS, build_video_tubes, check_link_options, link_option_names, link_tubes_csa,
                           link_tubes_greedy, link_tubes_viterbi, soft_suppress)

__all__ = [
    'CONVENTIONS', 'EvalConvention', 'resolve_convention', 'VIDEO_IOU_RANGE', 'average_precision', 'frame_ap',
    'video_ap', 'LINKERS', 'build_video_tubes', 'check_link_options', 'link_option_names', 'link_tubes_csa',
    'link_tubes_greedy', 'link_tubes_viterbi', 'soft_suppress'
]
