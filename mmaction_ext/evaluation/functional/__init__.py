from .tube_ap import (CONVENTIONS, average_precision, build_video_tubes, frame_ap, link_tubes_greedy,
                      link_tubes_viterbi, pairwise_iou, spatiotemporal_iou, tube_nms, video_ap)

__all__ = ['CONVENTIONS', 'average_precision', 'build_video_tubes', 'frame_ap', 'link_tubes_greedy',
           'link_tubes_viterbi', 'pairwise_iou', 'spatiotemporal_iou', 'tube_nms', 'video_ap']
