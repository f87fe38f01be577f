"""Data structures shared across the package: the clip tube format, box IoU, tube IoU and NMS.

Imports nothing else of mmaction_ext (see docs/architecture.md).
"""
from .action_tubes import (check_gt_tubes, check_pred_tubes, clip_tubes_from_tracks, drop_empty_tube_boxes,
                           frame_detections_from_tubes, rescale_tube_boxes, to_numpy, tube_boxes_to_annotation)
from .box_iou import BOX_CONVENTIONS, box_pixel_offset, paired_box_iou, pairwise_box_iou
from .tube_ops import TEMPORAL_IOU_CONVENTIONS, check_temporal_convention, spatiotemporal_iou, tube_nms

__all__ = [
    'BOX_CONVENTIONS', 'box_pixel_offset', 'paired_box_iou', 'pairwise_box_iou', 'spatiotemporal_iou', 'tube_nms',
    'TEMPORAL_IOU_CONVENTIONS', 'check_temporal_convention',
    'check_gt_tubes', 'check_pred_tubes', 'clip_tubes_from_tracks', 'drop_empty_tube_boxes',
    'frame_detections_from_tubes', 'rescale_tube_boxes', 'to_numpy', 'tube_boxes_to_annotation'
]
