from .art_mtc_loss import MultiLevelTrackletContrastiveLoss
from .csa_criterion import ActorConfidenceCost, CSACriterion, FrameTargets
from .focusvideo_recon_loss import ReconstructionContrastiveLoss

__all__ = ['ActorConfidenceCost', 'CSACriterion', 'FrameTargets', 'MultiLevelTrackletContrastiveLoss',
           'ReconstructionContrastiveLoss']
