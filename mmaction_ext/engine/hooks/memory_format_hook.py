import torch
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

MEMORY_FORMATS = dict(channels_last_3d=torch.channels_last_3d, channels_last=torch.channels_last)


@HOOKS.register_module()
class MemoryFormatHook(Hook):
    """Run the backbone in channels-last memory format (``NTHWC`` strides for ``NCTHW`` tensors).

    On CPU, oneDNN's depthwise 3D convolutions (UniFormer's ``CBlock`` and positional-embedding convs) are
    2-3x faster in channels-last, most of all in the backward pass; a tiny UniFormer training step
    takes 0.39 s instead of 0.76 s on 2 cores (``docs/emim.md``). The values computed are the same up to
    float rounding; checkpoints load either way.

    Before the run, the model's parameters and buffers of that rank are converted and a forward pre-hook converts the backbone's 5-D
    (or 4-D) tensor inputs.

    Args:
        memory_format (str): ``'channels_last_3d'`` (video backbones, default) or ``'channels_last'``.
        module (str): Attribute of the model whose inputs are converted. Defaults to ``'backbone'``.
    """

    priority = 'NORMAL'

    def __init__(self, memory_format: str = 'channels_last_3d', module: str = 'backbone'):
        if memory_format not in MEMORY_FORMATS:
            raise ValueError(f'MemoryFormatHook: unknown memory_format {memory_format!r}; '
                             f'expected one of {sorted(MEMORY_FORMATS)}')
        self.memory_format = MEMORY_FORMATS[memory_format]
        self.module = module

    def before_run(self, runner) -> None:
        self.apply(runner.model)

    def apply(self, model: torch.nn.Module) -> torch.nn.Module:
        """Convert ``model`` in place and hook its ``module``; returns the model."""
        model = model.module if is_model_wrapper(model) else model
        target = getattr(model, self.module, None)
        if not isinstance(target, torch.nn.Module):
            raise AttributeError(f'MemoryFormatHook: {type(model).__name__} has no submodule {self.module!r} '
                                 'whose inputs to convert; set module= to one it has')
        ndim = 5 if self.memory_format is torch.channels_last_3d else 4
        # Module.to(memory_format=) would also try 4-D tensors (e.g. the preprocessor's mean) and fail.
        for tensor in [*model.parameters(), *model.buffers()]:
            if tensor.dim() == ndim:
                tensor.data = tensor.data.to(memory_format=self.memory_format)  # restrides size-1 dims too

        def convert_inputs(_, args):
            return tuple(a.contiguous(memory_format=self.memory_format)
                         if isinstance(a, torch.Tensor) and a.dim() == ndim else a for a in args)

        target.register_forward_pre_hook(convert_inputs)
        return model
