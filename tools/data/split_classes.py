"""Keep some classes of a video list and number them 0..n-1 in the given order, with their names: the data of a
zero-shot split (train on some classes, test on the others through a text bank of the unseen ones).

    python tools/data/split_classes.py ANN_FILE CLASS_NAMES OUT_LIST --classes 8 9 10 11 [--names-out NAMES]

ANN_FILE is an MMAction2 video list (``path label`` lines); CLASS_NAMES one name per line in label order.
``--names-out`` writes the kept classes' names in their new order (the input of tools/build_text_bank.py).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))

from mmaction_ext.engine import run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('ann_file')
    parser.add_argument('class_names')
    parser.add_argument('out_list')
    parser.add_argument('--classes', type=int, nargs='+', required=True, help='labels to keep, in their new order')
    parser.add_argument('--names-out', help='write the kept class names here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.models.layers.text_bank import read_class_names
    names = read_class_names(args.class_names)
    bad = [c for c in args.classes if not 0 <= c < len(names)]
    if bad or len(set(args.classes)) != len(args.classes):
        raise ValueError(f'--classes {args.classes}: need distinct labels in [0, {len(names)}) ({args.class_names})')
    relabel = {old: new for new, old in enumerate(args.classes)}
    kept = []
    with open(args.ann_file, encoding='utf-8') as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            path, _, label = line.strip().rpartition(' ')
            if not path or not label.lstrip('-').isdigit():
                raise ValueError(f'{args.ann_file}:{number}: expected "path label", got {line.strip()!r}')
            if int(label) in relabel:
                kept.append(f'{path} {relabel[int(label)]}\n')
    if not kept:
        raise ValueError(f'{args.ann_file} has no video of classes {args.classes}')
    os.makedirs(osp.dirname(osp.abspath(args.out_list)), exist_ok=True)
    with open(args.out_list, 'w', encoding='utf-8') as stream:
        stream.writelines(kept)
    if args.names_out:
        with open(args.names_out, 'w', encoding='utf-8') as stream:
            stream.writelines(f'{names[c]}\n' for c in args.classes)
    print(f'kept {len(kept)} videos of {len(args.classes)} classes in {args.out_list}')
    return kept


if __name__ == '__main__':
    run_tool(main)
