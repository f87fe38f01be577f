# CSA evaluated as its release runs, for AVA v2.2 with the released ircsn-152 CSA weights (paper: 33.5 mAP):
#   python tools/convert/csa_official.py THIS_CONFIG released.pth converted.pth
#   python tools/test.py THIS_CONFIG converted.pth
# The training config with the release's evaluation settings; the converted file holds every weight.
_base_ = ['./csa_ircsn152_ig65m-k400-pre_8xb2-12e_32x2x1_ava22.py']
# offsets divided by (T, W, H) as the release's CUDA op does (docs/csa.md, "Paper and code disagree" 5)
model = dict(encoder=dict(layer_cfg=dict(self_attn_cfg=dict(offset_normalizer='official'))),
             # the release's CSN was trained on ImageNet-normalised frames
             data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]),
             init_cfg=None)
