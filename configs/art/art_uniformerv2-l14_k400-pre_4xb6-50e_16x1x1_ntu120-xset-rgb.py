# ART, Table II: uniformerv2-l14, 16 frames, NTU RGB+D 120, cross-setup, RGB videos.
# Initialised from K400-fine-tuned UniFormerV2 (Table I) via
# model.backbone.pretrained (a local file). Text bank (CLIP ViT-L/14 text tower):
#   python tools/build_text_bank.py CLIP_WEIGHTS \
#       data/ntu/annotations/ntu120_classes.txt \
#       data/ntu/art_text-bank_ntu120-xset_clip-vit-l14.pth
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/art_uniformerv2-l14.py',
    '../_base_/datasets/art_ntu120-xset.py', '../_base_/schedules/sgd_multistep-20-40_50e_art.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(cls_head=dict(
    num_classes={{_base_.num_classes}}, text_bank='data/ntu/art_text-bank_ntu120-xset_clip-vit-l14.pth'))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
