"""Models of the paper modules; importing this package registers them in MMAction2's MODELS."""
from .backbones import *  # noqa: F401,F403
from .heads import *  # noqa: F401,F403
from .layers import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .necks import *  # noqa: F401,F403
from .detectors import *  # noqa: F401,F403
