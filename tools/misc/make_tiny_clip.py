"""Write a randomly initialised CLIP in OpenAI's file formats, for tests and CPU demos (no weights download).

    python tools/misc/make_tiny_clip.py OUT.pth [--arch tiny] [--seed 0] [--torchscript]

``--arch tiny`` (default): ViT with width 64, 2 layers, 16 px patches at 32 px, and a 2-layer text tower of
width 64 over OpenAI's vocabulary (about 14 MB in fp32). The file loads wherever a released CLIP does
(``pretrained=`` of the CLIP backbones); ``--torchscript`` writes a traced archive like OpenAI's ``.pt``,
which the loaders read only with ``trust_torchscript=True``.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('out', help='output file (.pth state_dict, or .pt with --torchscript)')
    parser.add_argument('--arch', default='tiny', help='a CLIP arch name (tiny, ViT-B/16, ViT-L/14, ...)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--torchscript', action='store_true', help='write a TorchScript archive as OpenAI')
    args = parser.parse_args(argv)
    import torch

    from mmaction_ext.models.layers.clip_vision import build_clip, save_clip_file
    torch.manual_seed(args.seed)
    model = build_clip(args.arch)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    save_clip_file(model, args.out, args.torchscript)
    count = sum(p.numel() for p in model.parameters())
    print(f'wrote a random CLIP {args.arch} ({count / 1e6:.2f}M parameters, '
          f'{"TorchScript" if args.torchscript else "state_dict"}) to {args.out}')


if __name__ == '__main__':
    main()
