"""Generate the motion-only demo datasets (classification and detection flavours).

    python tools/data/generate_motion_demo.py data/motion_demo [--flavour both] [--seed 0]
"""
from mmaction_ext.datasets.synthetic.generate import main

if __name__ == '__main__':
    main()
