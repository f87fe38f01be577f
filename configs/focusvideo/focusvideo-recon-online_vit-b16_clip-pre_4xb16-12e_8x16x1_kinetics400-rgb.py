# Table 3f 'Reconstruction (online)' (K400 83.4): L_recon against the model's own frame features (no gradient).
_base_ = ['./focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py']
model = dict(cls_head=dict(query_supervision='recon_online'))
