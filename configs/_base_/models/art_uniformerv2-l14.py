# ART on UniFormerV2-L/14, 16 frames (Tables I-III, VII).
_base_ = ['./art_uniformerv2-b16.py']
model = dict(
    # MMAction2's K710-pre-trained, K400-fine-tuned UniFormerV2-L/14 (docs/art.md, "Weights")
    backbone=dict(arch='L/14',
                  pretrained='data/pretrained/uniformerv2-large-p14-res224_clip-kinetics710-pre_u8_kinetics400-rgb.pth'),
    cls_head=dict(in_channels=1024, text_channels=768))  # CLIP ViT-L/14 text embedding
