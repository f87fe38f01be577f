"""Generate the motion-only demo datasets (classification and detection flavours), or only its class names.

    python tools/data/generate_motion_demo.py data/motion_demo [--flavour both|classification|detection|classes]
"""
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too

from mmaction_ext.datasets.synthetic.generate import main  # noqa: E402

if __name__ == '__main__':
    main()
