"""Synthetic data: the motion-only demo (action classification and detection clips), and perturbed frame
detections around real ground truth for checking detection evaluators (``tube_detections``).

Data-generation code, not runtime code: ``import mmaction_ext`` does not import it. Use
``tools/data/generate_motion_demo.py`` or import this subpackage explicitly.
"""
from .generate import generate_classification, generate_detection, write_video
from .motions import MOTION_CLASSES, torus_track
from .scene import render_classification_clip, render_detection_clip
from .tube_detections import perturbed_tube_detections, ucf24_test_subset

__all__ = [
    'MOTION_CLASSES', 'generate_classification', 'generate_detection', 'perturbed_tube_detections',
    'render_classification_clip', 'render_detection_clip', 'torus_track', 'ucf24_test_subset', 'write_video'
]
