# The peer of the tiny UniFormer-EMIM demo config: the same tiny UniFormer (no stage-1 temporal stride)
# with global attention in every block (placement 'O-O'), same data, schedule and views.
_base_ = ['./uniformer-emim_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py']

model = dict(backbone=dict(placement='O-O'))
