from .csa_criterion import ActorConfidenceCost, CSACriterion, FrameTargets

__all__ = ['ActorConfidenceCost', 'CSACriterion', 'FrameTargets']
