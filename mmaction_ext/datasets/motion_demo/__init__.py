"""Built-in demo data: motion-only action classification and detection clips."""
from .generate import generate_classification, generate_detection, write_video
from .motions import MOTION_CLASSES, torus_track
from .scene import render_classification_clip, render_detection_clip

__all__ = [
    'MOTION_CLASSES', 'generate_classification', 'generate_detection', 'render_classification_clip',
    'render_detection_clip', 'torus_track', 'write_video'
]
