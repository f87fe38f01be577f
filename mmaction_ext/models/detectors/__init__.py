from .csa_detector import CSADetector
from .oracle_tube_detector import OracleTubeDetector

__all__ = ['CSADetector', 'OracleTubeDetector']
