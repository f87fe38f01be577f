from .warmup import LinearWarmupFromLR

__all__ = ['LinearWarmupFromLR']
