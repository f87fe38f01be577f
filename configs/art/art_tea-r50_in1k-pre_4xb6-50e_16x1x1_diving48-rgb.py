# ART, Table I: tea-r50, 16 frames, Diving48-V2.
# Initialised from ImageNet Res2Net-50 26w4s via
# model.backbone.pretrained (a local file). Text bank (CLIP ViT-B/16 text tower):
#   python tools/build_text_bank.py CLIP_WEIGHTS \
#       data/diving48/diving48_classes.txt \
#       data/diving48/art_text-bank_diving48_clip-vit-b16.pth
_base_ = [
    'mmaction::_base_/default_runtime.py', '../_base_/models/art_tea-r50.py',
    '../_base_/datasets/art_diving48.py', '../_base_/schedules/sgd_multistep-20-40_50e_art.py'
]
custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
model = dict(cls_head=dict(
    num_classes={{_base_.num_classes}}, text_bank='data/diving48/art_text-bank_diving48_clip-vit-b16.pth'))
default_hooks = dict(checkpoint=dict(interval=5, max_keep_ckpts=3, save_best='auto'))
