# ART on TEA-ResNet50 (Res2Net-50 26w4s + ME + MTA), 16 frames (Table I): X = res5 tokens (7 x 7 per frame),
# x_cls = their global average (ARTHead's feature-map input). ImageNet Res2Net-50 26w4s weights (docs/art.md,
# "Weights"); every BatchNorm trains (TEA's from-ImageNet scripts pass --npb: no partial BN).
_base_ = ['./art_uniformerv2-b16.py']
model = dict(
    backbone=dict(_delete_=True, type='TEAResNet', depth=50, norm_eval=False,
                  pretrained='data/pretrained/res2net50_26w_4s.pth'),
    cls_head=dict(in_channels=2048),
    # ImageNet normalisation for the ImageNet-pretrained trunk
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]))
