"""Export a recognizer (backbone + head, fixed input size) to ONNX or a ``torch.export`` program, and run it.

The exported graph takes one view ``(N, 3, T, H, W)`` of RGB frames in 0-255 (the data preprocessor's mean and
std are inside) and returns the head's class scores before the softmax, as ``model(inputs, mode='tensor')``
after preprocessing. The config's multi-view averaging stays outside: run each view and average.
"""
import contextlib
import io
import re
import warnings
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

EXPORT_FORMATS = ('onnx', 'torch-export')
_OPERATOR = re.compile(r"(aten::[\w.]+|prim::[\w.]+|mmcv::[\w.]+|natten[\w.:]*|torch\.ops\.[\w.]+|"
                       r"operator '?([\w:.]+)'?)")


class ExportableRecognizer(nn.Module):
    """A recognizer's normalisation, backbone, optional neck and head as one module for export.

    Args:
        recognizer: An MMAction2 recognizer (``backbone``, ``cls_head``, ``data_preprocessor``).

    Shape:
        ``(N, 3, T, H, W)`` in 0-255 -> ``(N, num_classes)`` class scores (logits).
    """

    def __init__(self, recognizer: nn.Module):
        super().__init__()
        if not hasattr(recognizer, 'cls_head') or not hasattr(recognizer, 'backbone'):
            raise ValueError(f'{type(recognizer).__name__} is not a recognizer (backbone + cls_head): export covers '
                             'recognizers; detectors are not exported')
        self.backbone, self.cls_head = recognizer.backbone, recognizer.cls_head
        self.neck = getattr(recognizer, 'neck', None) if getattr(recognizer, 'with_neck', False) else None
        preprocessor = recognizer.data_preprocessor
        if getattr(preprocessor, '_enable_normalize', False):
            mean, std = preprocessor.mean.float(), preprocessor.std.float()
            # MMAction2 keeps (C, 1, 1) for 2D and (C, 1, 1, 1) for 3D inputs
            self.register_buffer('mean', mean.reshape(1, -1, 1, 1, 1))
            self.register_buffer('std', std.reshape(1, -1, 1, 1, 1))
        else:
            self.mean = self.std = None

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        if self.mean is not None:
            video = (video - self.mean) / self.std
        features = self.backbone(video)
        if self.neck is not None:
            features, _ = self.neck(features)
        return self.cls_head(features)


def input_shape_from_config(cfg) -> Tuple[int, int, int]:
    """``(T, H, W)`` of one test view: ``clip_len`` of the test pipeline's frame sampling, the size of its crop
    (or of a resize that ignores the aspect ratio)."""
    from .inference import test_pipeline
    steps = test_pipeline(cfg)
    samplers = [s for s in steps if 'clip_len' in s]
    crops = [s for s in steps if s['type'] in ('CenterCrop', 'ThreeCrop', 'TenCrop')]
    resizes = [s for s in steps if s['type'] == 'Resize' and not s.get('keep_ratio', True)]
    if not samplers or not (crops or resizes):
        raise ValueError('cannot read the input size from the test pipeline (no clip_len, or no crop / fixed '
                         'resize): pass --shape T H W')
    frames = int(samplers[-1]['clip_len'])
    if crops:
        size = crops[-1]['crop_size']
        height, width = (size, size) if isinstance(size, int) else (size[1], size[0])
    else:
        width, height = resizes[-1]['scale']
    return frames, int(height), int(width)


def unsupported_operator(error: BaseException) -> Optional[str]:
    """The operator an exporter names in ``error`` (its first mention), or None."""
    found = _OPERATOR.search(str(error))
    return (found.group(2) or found.group(1)) if found else None


def export_model(module: nn.Module, example: torch.Tensor, out: str, fmt: str) -> None:
    """Write ``module`` traced on ``example`` to ``out`` as ONNX (opset 17, the TorchScript-based exporter, which
    needs no onnxscript) or a ``torch.export`` program (``.pt2``). An exporter's failure becomes a ValueError that
    names the operator it could not handle."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f'unknown export format {fmt!r}; expected one of {EXPORT_FORMATS}')
    module = module.eval()
    try:
        with torch.no_grad():
            if fmt == 'onnx':
                # the TorchScript exporter's deprecation and tracer notes, and the graph it prints on a failure
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter('ignore')
                    torch.onnx.export(module, (example, ), out, dynamo=False, opset_version=17,
                                      input_names=['video'], output_names=['scores'])
            else:
                program = torch.export.export(module, (example, ))
                torch.export.save(program, out)
    except Exception as error:  # noqa: BLE001  (every exporter failure is reported the same way)
        operator = unsupported_operator(error)
        what = (f'at operator {operator!r}' if operator else
                f'({str(error).strip().splitlines()[0][:200] if str(error).strip() else "no message"})')
        raise ValueError(f'{fmt} export failed {what} [{type(error).__name__}]; docs/inference.md lists what does '
                         'not export') from error


def run_exported(path: str, fmt: str, inputs: torch.Tensor) -> np.ndarray:
    """Outputs of the exported model at ``path`` on ``inputs``: onnxruntime (CPU) for ONNX, the loaded program
    for ``torch.export``."""
    if fmt == 'onnx':
        import onnxruntime
        session = onnxruntime.InferenceSession(path, providers=['CPUExecutionProvider'])
        return session.run(None, {session.get_inputs()[0].name: inputs.numpy()})[0]
    program = torch.export.load(path)
    with torch.no_grad():
        return program.module()(inputs).numpy()


def example_input(shape: Sequence[int], seed: int = 0) -> torch.Tensor:
    """A reproducible random view ``(N, 3, T, H, W)`` of 0-255 values."""
    generator = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=generator) * 255


__all__ = ['ExportableRecognizer', 'EXPORT_FORMATS', 'input_shape_from_config', 'export_model', 'run_exported',
           'unsupported_operator', 'example_input']
