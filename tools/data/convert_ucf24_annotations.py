"""Convert the corrected UCF101-24 annotations to the ACT ground-truth format (UCF101v2-GT.pkl).

    python tools/data/convert_ucf24_annotations.py \
        pyannot_with_class_names.pkl testlist01.txt data/ucf101_24/UCF101v2-GT.pkl

Input: gurkirt/corrected-UCF101-Annots (``pyannot_with_class_names.pkl`` and ``testlist01.txt``).
The output is what ``UCF24TubeDataset``, ``FrameMAP`` and ``VideoMAP`` read; see docs/detection_eval.md.
"""
import argparse
import os
import os.path as osp
import pickle
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from mmaction_ext.datasets import convert_ucf24_pyannot  # noqa: E402
from mmaction_ext.engine import run_tool  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('pyannot', help='pyannot_with_class_names.pkl')
    parser.add_argument('test_list', help='testlist01.txt (the split-1 test videos)')
    parser.add_argument('out', help='output ACT pickle, e.g. data/ucf101_24/UCF101v2-GT.pkl')
    args = parser.parse_args(argv)
    annos = convert_ucf24_pyannot(args.pyannot, args.test_list)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'wb') as f:
        pickle.dump(annos, f)
    tubes = sum(len(t) for v in annos['gttubes'].values() for t in v.values())
    print(f'{args.out}: {len(annos["labels"])} classes, {len(annos["gttubes"])} videos, {tubes} tubes, '
          f'{len(annos["train_videos"][0])} train / {len(annos["test_videos"][0])} test videos')


if __name__ == '__main__':
    run_tool(main)
