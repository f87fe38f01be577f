# The tiny ART demo's baseline (Table IV setting 1): the same tiny UniFormerV2 and recipe, x_cls classified alone.
_base_ = ['./art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py']
model = dict(cls_head=dict(rssa=False))
custom_hooks = [dict(type='EpochSeedHook')]
