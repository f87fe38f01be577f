# CSA ViT-B with AVA's settings (released code): keyframe decoding, 15 actor queries, 6 + 6 layers, matching
# 12/5/2, losses 10/5/2/1, no-object 0.1, class targets smoothed to 0.95 / 0.05, class loss on the class logits
# alone and summed over the batch (not divided by it).
_base_ = ['./csa_vit-b.py']
model = dict(
    num_classes=80, num_queries=15, mode='keyframe',
    encoder=dict(num_layers=6), decoder=dict(num_layers=6),
    criterion=dict(match_weights=dict(conf=12.0), loss_weights=dict(cls=10.0, conf=1.0), no_object_weight=0.1,
                   label_smoothing=0.1, label_smoothing_mode='binary', cls_normalizer='none', class_on_actor=False))
