"""Evaluation: frame-mAP / video-mAP for tube detection (AVA uses MMAction2's ``AVAMetric``; ``OnlineAVAMetric``
reads the ground truth of a dataset that holds it)."""
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
