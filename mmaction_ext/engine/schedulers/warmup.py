"""A linear warm-up from one absolute learning rate for every parameter group (CSA's training code).

mmengine's ``LinearLR`` starts each group at ``start_factor`` times its own lr, so a backbone group at 0.1x
starts ten times lower than the rest. CSA's code warms every group up from the same absolute
``WARMUP_START_LR`` (on AVA 1e-5, which is also the backbone's lr: the backbone then stays at 1e-5).
"""
from mmaction.registry import PARAM_SCHEDULERS
from mmengine.optim.scheduler import LinearLR


@PARAM_SCHEDULERS.register_module()
class LinearWarmupFromLR(LinearLR):
    """Every group's lr goes linearly from ``start_lr`` at ``begin`` to its own lr at the last step before
    ``end``: ``lr_g(i) = start_lr + (base_g - start_lr) * i / (end - begin - 1)``.

    Args:
        optimizer: Wrapped optimizer.
        start_lr (float): The lr of every group at ``begin``.
        **kwargs: ``begin``, ``end``, ``by_epoch``, ``last_step``, ``verbose`` (``convert_to_iter_based`` in
            configs) as for ``LinearLR``.
    """

    def __init__(self, optimizer, start_lr: float, **kwargs):
        if start_lr < 0:
            raise ValueError(f'LinearWarmupFromLR: start_lr must be >= 0, got {start_lr}')
        self.start_lr = float(start_lr)
        super().__init__(optimizer, start_factor=1.0, end_factor=1.0, **kwargs)

    def _get_value(self):
        steps = max(self.total_iters, 1)
        progress = min(self.last_step, steps) / steps
        return [self.start_lr + (group[f'initial_{self.param_name}'] - self.start_lr) * progress
                for group in self.optimizer.param_groups]

    def _get_closed_form_value(self):
        return self._get_value()
