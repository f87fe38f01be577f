"""timm's RandAugment applied to a whole clip: the same operations, magnitudes and signs on every frame.

EMIM's and ST-Adapter's official training code apply timm's ``rand-m7-n4-mstd0.5-inc1`` once per video (the
SlowFast port of timm's ``RandAugment``). MMAction2 1.2.0 offers torchvision's RandAugment (every chosen op
always applied, magnitude in bins of another scale, no magnitude noise, another op set) and pytorchvideo's
(not importable beside torchvision >= 0.17). This transform calls timm's own ``rand_augment_transform`` on each
frame with the random state rewound to the clip's draw, so that its definition is timm's by construction.
"""
import random
from typing import Dict, Sequence

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class ClipRandAugment(BaseTransform):
    """timm RandAugment with one draw per clip.

    Args:
        config_str (str): timm's RandAugment string, e.g. ``'rand-m7-n4-mstd0.5-inc1'``: magnitude 7 of 10,
            4 operations drawn from the "increasing" set, each applied with probability 0.5, magnitude noise
            N(0, 0.5).
        fill (Sequence[int]): RGB fill of geometric ops (EMIM / ST-Adapter: 128).
        interpolation (str): ``'bicubic'`` (EMIM / ST-Adapter) or ``'bilinear'``.

    Required keys: ``imgs`` (list of ``(H, W, 3)`` uint8 RGB frames). Modified keys: ``imgs``.
    """

    def __init__(self, config_str: str = 'rand-m7-n4-mstd0.5-inc1', fill: Sequence[int] = (128, 128, 128),
                 interpolation: str = 'bicubic'):
        try:
            from timm.data.auto_augment import rand_augment_transform
            from timm.data.transforms import str_to_pil_interp
        except ImportError as error:  # timm comes with open_clip
            raise ImportError('ClipRandAugment needs timm (installed with open-clip-torch)') from error
        if not config_str.startswith('rand'):
            raise ValueError(f"ClipRandAugment: config_str must be a timm RandAugment string ('rand-m7-n4-...'), "
                             f'got {config_str!r}')
        self.config_str, self.fill, self.interpolation = config_str, tuple(int(v) for v in fill), interpolation
        hparams = dict(img_mean=self.fill, interpolation=str_to_pil_interp(interpolation))
        self.rand_augment = rand_augment_transform(config_str, hparams)

    def transform(self, results: Dict) -> Dict:
        from PIL import Image
        imgs = results['imgs']
        state = random.getstate(), np.random.get_state()
        out = []
        for frame in imgs:
            random.setstate(state[0])
            np.random.set_state(state[1])
            out.append(np.asarray(self.rand_augment(Image.fromarray(frame))))
        results['imgs'] = out
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(config_str={self.config_str!r}, fill={self.fill}, '
                f'interpolation={self.interpolation!r})')
