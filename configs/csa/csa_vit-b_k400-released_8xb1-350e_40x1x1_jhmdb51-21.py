# CSA evaluated as its release runs, for JHMDB51-21 split 1 with the released ViT-B CSA weights (the release's split-0 checkpoint: f-mAP 88.1, v-mAP 90.6):
#   python tools/convert/csa_official.py THIS_CONFIG released.pth converted.pth
#   python tools/test.py THIS_CONFIG converted.pth
# The training config with the release's evaluation settings; the converted file holds every weight.
_base_ = ['./csa_vit-b_k400-pre_8xb1-350e_40x1x1_jhmdb51-21.py']
# offsets divided by (T, W, H) as the release's CUDA op does (docs/csa.md, "Paper and code disagree" 5)
model = dict(encoder=dict(layer_cfg=dict(self_attn_cfg=dict(offset_normalizer='official'))),
             backbone=dict(init_cfg=None))
