from typing import Optional

from mmaction.models.heads import I3DHead
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor


@MODELS.register_module()
class VideoFocalNetHead(I3DHead):
    """The official Video-FocalNet classifier: average over (T, H, W), then one Linear.

    MMAction2's ``I3DHead`` with the official defaults: no dropout and a
    truncated-normal (std 0.02) weight with zero bias. It also takes the pooled
    ``(N, C)`` output of ``VideoFocalNet(pool=True)``. Multi-view testing uses
    ``average_clips`` of :class:`~mmaction.models.heads.BaseHead` (the official
    test sums softmax probabilities: ``average_clips='prob'``).

    Args:
        num_classes (int): Number of classes.
        in_channels (int): Feature channels (8 x embed_dims of the backbone).
        dropout_ratio (float): Dropout before the Linear. Defaults to 0.
        init_std (float): Std of the truncated-normal weight init. Defaults to 0.02.
        init_cfg (dict | list[dict] | None): mmengine init config; None is the
            official init (trunc-normal ``init_std`` weight, zero bias).
        **kwargs: as for ``I3DHead`` (``loss_cls``, ``average_clips``, ...).
    """

    def __init__(self, num_classes: int, in_channels: int, dropout_ratio: float = 0.0, init_std: float = 0.02,
                 init_cfg: Optional[dict] = None, **kwargs) -> None:
        if init_cfg is None:
            init_cfg = dict(type='TruncNormal', layer='Linear', std=init_std, bias=0.0)
        super().__init__(num_classes, in_channels, dropout_ratio=dropout_ratio, init_std=init_std,
                         init_cfg=init_cfg, **kwargs)

    def init_weights(self) -> None:
        # mmengine's init_cfg handling, not I3DHead's hard-coded normal init.
        BaseModule.init_weights(self)

    def forward(self, x: Tensor, **kwargs) -> Tensor:
        if x.dim() == 2:  # already pooled by the backbone
            x = x[:, :, None, None, None]
        return super().forward(x, **kwargs)
