# FocusVideo-L/14: as B/16 on CLIP ViT-L/14 (width 1024, 24 blocks); 33M learnable parameters (paper Table 1).
_base_ = ['./focusvideo_vit-b16.py']
model = dict(
    backbone=dict(arch='ViT-L/14', pretrained='checkpoints/clip/ViT-L-14.pt'),
    cls_head=dict(in_channels=1024))
