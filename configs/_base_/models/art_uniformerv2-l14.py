# ART on UniFormerV2-L/14, 16 frames (Tables I-III, VII).
_base_ = ['./art_uniformerv2-b16.py']
model = dict(
    backbone=dict(arch='L/14'),
    cls_head=dict(in_channels=1024, text_channels=768))  # CLIP ViT-L/14 text embedding
