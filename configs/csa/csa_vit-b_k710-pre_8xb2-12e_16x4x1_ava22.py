# CSA, ViT-B (VideoMAE V2 distilled, K710 then K400) on AVA v2.2; as the K400 config but for the backbone weights.
# Paper: 38.4 mAP (Table 5).
_base_ = ['./csa_vit-b_k400-pre_8xb2-12e_16x4x1_ava22.py']

model = dict(backbone=dict(init_cfg=dict(
    checkpoint='checkpoints/vit-base-p16_videomaev2-vit-g-dist-k710-pre_16x4x1_kinetics-400_20230510-3e7f93b2.pth')))
