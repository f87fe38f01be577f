# CSA evaluated as its release runs, for AVA v2.2 with the released ViT-B (K710) CSA weights (paper: 38.4 mAP):
#   python tools/convert/csa_official.py THIS_CONFIG released.pth converted.pth
#   python tools/test.py THIS_CONFIG converted.pth
# The training config with the release's evaluation settings; the converted file holds every weight.
_base_ = ['./csa_vit-b_k710-pre_8xb2-12e_16x4x1_ava22.py']
# offsets divided by (T, W, H) as the release's CUDA op does (docs/csa.md, "Paper and code disagree" 5)
model = dict(encoder=dict(layer_cfg=dict(self_attn_cfg=dict(offset_normalizer='official'))),
             backbone=dict(init_cfg=None))
