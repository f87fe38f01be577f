# The tiny ART demo without the MTC loss (everything else as art_uniformerv2-tiny_*).
_base_ = ['./art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py']
model = dict(cls_head=dict(loss_mtc=None))
