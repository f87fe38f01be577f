"""Export a recognizer (backbone + head, one view of fixed size) to ONNX or ``torch.export``, then check it.

    python tools/export.py CONFIG CHECKPOINT --format onnx|torch-export [--out FILE] [--shape T H W]
                           [--batch 1] [--atol 1e-4] [--cfg-options k=v ...]

CHECKPOINT may be ``none`` (the model as initialised). The exported model takes ``(batch, 3, T, H, W)`` RGB frames
in 0-255 (mean / std of the config inside) and returns class scores before the softmax; ``T, H, W`` default to
one view of the config's test pipeline. After writing, the tool runs the exported file (onnxruntime on CPU for
ONNX, ``torch.export.load`` for ``.pt2``) and PyTorch on the same random input and fails when the largest absolute
difference exceeds ``--atol``. Where an exporter cannot handle an operator, the tool names it (docs/inference.md).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import parse_tool_args, run_tool  # noqa: E402

SUFFIX = {'onnx': '.onnx', 'torch-export': '.pt2'}


def parse_args(argv=None):
    from mmaction_ext.apis.export import EXPORT_FORMATS
    parser = argparse.ArgumentParser(description='Export a recognizer to ONNX or torch.export and check it')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('--format', required=True, choices=EXPORT_FORMATS)
    parser.add_argument('--out', help='the file to write (default: the config name + .onnx / .pt2)')
    parser.add_argument('--shape', type=int, nargs=3, metavar=('T', 'H', 'W'), help='one view (default: the config\'s)')
    parser.add_argument('--batch', type=int, default=1, help='views per call, fixed in the exported graph')
    parser.add_argument('--atol', type=float, default=1e-4, help='largest absolute difference allowed in the check')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import torch

    from mmaction_ext.apis import init_model
    from mmaction_ext.apis.export import (ExportableRecognizer, example_input, export_model,
                                          input_shape_from_config, run_exported)
    out = args.out or osp.splitext(osp.basename(args.config))[0] + SUFFIX[args.format]
    if not out.endswith(SUFFIX[args.format]):
        raise ValueError(f'--out {out}: a {args.format} file ends in {SUFFIX[args.format]}')
    model = init_model(args.config, args.checkpoint, cfg_options=args.cfg_options)
    module = ExportableRecognizer(model).eval()
    frames, height, width = args.shape or input_shape_from_config(model.cfg)
    example = example_input((args.batch, 3, frames, height, width))
    export_model(module, example, out, args.format)
    check = example_input(example.shape, seed=1)  # another input than the traced one
    with torch.no_grad():
        expected = module(check).numpy()
    got = run_exported(out, args.format, check)
    difference = float(np.abs(got - expected).max())
    print(f'wrote {out}: input (batch, 3, T, H, W) = {tuple(example.shape)}, output {tuple(got.shape)}; '
          f'max |exported - PyTorch| = {difference:.2e} (atol {args.atol:g})')
    if not difference <= args.atol:
        print(f'error: the exported model differs from PyTorch by {difference:.2e} > {args.atol:g}', file=sys.stderr)
        sys.exit(1)
    return dict(out=out, difference=difference, expected=expected, got=got)


if __name__ == '__main__':
    run_tool(main)
