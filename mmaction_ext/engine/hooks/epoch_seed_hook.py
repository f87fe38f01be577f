import random

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.hooks import Hook


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed Python, NumPy and torch at the start of every training epoch.

    mmengine seeds once, when the Runner is built, and a resumed run does not
    restore the random state: its augmentations, dropout and dataloader seeds
    then differ from those of the run it continues. Reseeding from
    ``(runner.seed, epoch)`` makes every epoch's randomness a function of the
    epoch alone, so a run resumed from an epoch checkpoint (after a crash or a
    ``kill -9``) logs exactly the losses the uninterrupted run would have.

    It draws nothing itself and needs no state in the checkpoint. Without a
    seed (``randomness=dict(seed=None)``) it does nothing.
    """

    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        if runner.seed is None:
            return
        state = np.random.SeedSequence([runner.seed, runner.epoch]).generate_state(2)
        random.seed(int(state[0]))
        np.random.seed(int(state[1]))
        torch.manual_seed(int(state[0]) << 32 | int(state[1]))
