"""Build a text-constrained semantic bank (ART Sec. III-E): CLIP text embeddings of every class under N_prom
prompt templates, saved as ``(N_class, N_prom, C_t)`` with its metadata.

    python tools/build_text_bank.py CLIP_WEIGHTS CLASS_NAMES OUT.pth [--phrases MAP] [--templates FILE]
                                    [--arch ViT-B/16] [--trust-torchscript]

CLIP_WEIGHTS  a local CLIP file: a state_dict (open_clip / OpenAI keys), or OpenAI's TorchScript ``.pt`` with
              ``--trust-torchscript`` (loading TorchScript runs code from the file).
CLASS_NAMES   one class name per line in label order (MMAction2 label maps; ``<index> name`` lines too).
--phrases     class -> action phrase (JSON object or ``class<TAB>phrase`` lines); every class must be mapped.
              Without it the class names themselves go into the templates.
--templates   one template per line, each with one ``{}``; default ActionCLIP's 16.

The bank is what a model config's ``text_bank=`` points to; models never need the text tower.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))

from mmaction_ext.engine import run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('clip_weights', help='local CLIP weights (state_dict, or TorchScript with the flag)')
    parser.add_argument('class_names', help='class names, one per line, in label order')
    parser.add_argument('out', help='output bank file (.pth)')
    parser.add_argument('--phrases', help='class -> action phrase mapping (JSON or class<TAB>phrase)')
    parser.add_argument('--templates', help='prompt templates, one per line with one {} (default: ActionCLIP 16)')
    parser.add_argument('--arch', help='CLIP arch name (default: inferred from the weights)')
    parser.add_argument('--trust-torchscript', action='store_true', help='allow OpenAI TorchScript .pt files')
    parser.add_argument('--batch-size', type=int, default=256, help='prompts encoded at once')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.models.layers.text_bank import (ACTIONCLIP_TEMPLATES, clip_arch_of, encode_text_bank,
                                                      file_sha256, load_clip, read_class_names,
                                                      read_phrase_mapping, save_text_bank)
    class_names = read_class_names(args.class_names)
    phrases = read_phrase_mapping(args.phrases, class_names) if args.phrases else list(class_names)
    templates = ACTIONCLIP_TEMPLATES
    if args.templates:
        with open(args.templates, encoding='utf-8') as stream:
            templates = [line.rstrip('\n') for line in stream if line.strip()]
    model = load_clip(args.clip_weights, args.arch, args.trust_torchscript)
    arch = args.arch or clip_arch_of(model.state_dict())
    bank = encode_text_bank(model, phrases, templates, args.batch_size)
    save_text_bank(args.out, bank, class_names, phrases, templates, arch, file_sha256(args.clip_weights))
    print(f'wrote a text bank of {len(class_names)} classes x {len(templates)} templates x {bank.shape[-1]} '
          f'(CLIP {arch}) to {args.out}')


if __name__ == '__main__':
    run_tool(main)
