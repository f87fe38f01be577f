"""Mixed precision where the device has it, full precision elsewhere.

The official Video-FocalNets, EMIM and ST-Adapter runs trained with mixed precision; mmengine's
``AmpOptimWrapper`` refuses to be built without a CUDA / NPU / MLU / MUSA device, so a config that names it
cannot run on a CPU at all. ``DeviceAmpOptimWrapper`` builds that wrapper where it can and mmengine's plain
``OptimWrapper`` (fp32, one log line) elsewhere, so the paper configs keep the published precision on GPUs and
still run on a CPU.
"""
from mmaction.registry import OPTIM_WRAPPERS
from mmengine.device import is_cuda_available, is_mlu_available, is_musa_available, is_npu_available
from mmengine.logging import MMLogger
from mmengine.optim import AmpOptimWrapper, OptimWrapper


def amp_device_available() -> bool:
    """Whether mmengine's ``AmpOptimWrapper`` can be built here."""
    return is_cuda_available() or is_npu_available() or is_mlu_available() or is_musa_available()


@OPTIM_WRAPPERS.register_module()
def DeviceAmpOptimWrapper(loss_scale='dynamic', dtype=None, **kwargs) -> OptimWrapper:  # noqa: N802 (a type name)
    """``AmpOptimWrapper(loss_scale, dtype, **kwargs)`` on an accelerator, ``OptimWrapper(**kwargs)`` otherwise.

    Args:
        loss_scale, dtype: As mmengine's ``AmpOptimWrapper``.
        **kwargs: ``optimizer``, ``clip_grad``, ``accumulative_counts`` as mmengine's ``OptimWrapper``.
    """
    if amp_device_available():
        return AmpOptimWrapper(loss_scale=loss_scale, dtype=dtype, **kwargs)
    MMLogger.get_current_instance().info('DeviceAmpOptimWrapper: no CUDA / NPU / MLU / MUSA device, training in fp32')
    return OptimWrapper(**kwargs)
