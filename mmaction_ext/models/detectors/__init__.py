from .oracle_tube_detector import OracleTubeDetector

__all__ = ['OracleTubeDetector']
