"""Multiply-accumulate counts with mmengine's FlopAnalyzer, including the ops it does not know."""
from typing import Any, List, Tuple

import torch
from torch import nn


def _shape(value) -> List[int]:
    return value.type().sizes()


def sdpa_macs(inputs: List[Any], outputs: List[Any]) -> int:
    """``aten::scaled_dot_product_attention``: ``q k^T`` and ``p v``, ``2 B h Lq Lk d`` multiply-adds
    (mmengine's counter skips this op)."""
    q, k = _shape(inputs[0]), _shape(inputs[1])
    *batch, queries, head_dim = q
    keys = k[-2]
    count = 1
    for size in batch:
        count *= size
    return 2 * count * queries * keys * head_dim


def count_gmacs(model: nn.Module, inputs: Tuple) -> float:
    """Giga multiply-accumulates of ``model(*inputs)`` (eval mode, no grad), as mmengine counts them, with
    scaled-dot-product attention counted by :func:`sdpa_macs`."""
    from mmengine.analysis import FlopAnalyzer
    model.eval()  # not chained: some backbones' train() (mmdet's ResNet) return None
    with torch.no_grad():
        analyzer = FlopAnalyzer(model, inputs)
        analyzer.set_op_handle('aten::scaled_dot_product_attention', sdpa_macs)
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        return analyzer.total() / 1e9


def count_gmacs_meta(model: nn.Module, inputs: Tuple) -> float:
    """Giga multiply-accumulates of ``model(*inputs)`` counted by torch's ``FlopCounterMode`` on the meta device
    (shapes only: no memory for activations, no arithmetic), for models too large to run on a CPU in a test.
    Counts matmuls, convolutions and attention (as :func:`count_gmacs`; norms and element-wise ops, a fraction
    of a percent, are not). The model is moved to the meta device: its weights are gone afterwards."""
    from torch.utils._pytree import tree_map
    from torch.utils.flop_counter import FlopCounterMode
    model = model.to('meta')
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(*tree_map(lambda t: t.to('meta') if torch.is_tensor(t) else t, tuple(inputs)))
    return counter.get_total_flops() / 2 / 1e9
