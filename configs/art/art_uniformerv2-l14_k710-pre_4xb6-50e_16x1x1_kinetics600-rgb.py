# ART, Table III: uniformerv2-l14, 16 frames, Kinetics-600.
# Initialised from UniFormerV2 pre-trained on K710 (MMAction2's L/14 Kinetics starting point) via
# model.backbone.pretrained (a local file). Text bank (CLIP ViT-L/14 text tower):
#   python tools/build_text_bank.py CLIP_WEIGHTS \
#       data/kinetics600/kinetics600_classes.txt \
#       data/kinetics600/art_text-bank_kinetics600_clip-vit-l14.pth
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/art_uniformerv2-l14.py',
    '../_base_/datasets/art_kinetics600.py', '../_base_/schedules/sgd_multistep-20-40_50e_art.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(
    backbone=dict(pretrained='data/pretrained/uniformerv2-large-p14-res224_clip-pre_u8_kinetics710-rgb.pth'),
    cls_head=dict(
    num_classes={{_base_.num_classes}}, text_bank='data/kinetics600/art_text-bank_kinetics600_clip-vit-l14.pth'))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
