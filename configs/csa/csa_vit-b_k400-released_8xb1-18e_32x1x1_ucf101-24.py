# CSA evaluated as its release runs, for UCF101-24 with the released ViT-B CSA weights (paper: f-mAP 85.9, v-mAP@0.5 61.7):
#   python tools/convert/csa_official.py THIS_CONFIG released.pth converted.pth
#   python tools/test.py THIS_CONFIG converted.pth
# The training config with the release's evaluation settings; the converted file holds every weight.
_base_ = ['./csa_vit-b_k400-pre_8xb1-18e_32x1x1_ucf101-24.py']
# offsets divided by (T, W, H) as the release's CUDA op does (docs/csa.md, "Paper and code disagree" 5)
model = dict(encoder=dict(layer_cfg=dict(self_attn_cfg=dict(offset_normalizer='official'))),
             backbone=dict(init_cfg=None))
