"""Evaluation: frame-mAP / video-mAP for tube detection (AVA uses MMAction2's ``AVAMetric``)."""
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
