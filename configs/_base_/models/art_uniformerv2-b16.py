# ART (Sun et al., TNNLS 2025) on MMAction2's UniFormerV2-B/16, 16 frames. Defaults and their sources:
# docs/art.md. The paper starts from K400-fine-tuned UniFormerV2 (Table I): MMAction2's checkpoint of
# uniformerv2-base-p16-res224_clip_8xb32-u8_kinetics400-rgb saved as backbone.pretrained (docs/art.md, "Weights";
# training stops naming the file when it is missing; pretrained=None trains from scratch), and cls_head.text_bank
# a bank from tools/build_text_bank.py.
num_frames = 16
model = dict(
    type='Recognizer3D',
    backbone=dict(type='UniFormerV2Tokens', arch='B/16', t_size=num_frames,
                  pretrained='data/pretrained/uniformerv2-base-p16-res224_clip_8xb32-u8_kinetics400-rgb.pth'),
    cls_head=dict(
        type='ARTHead',
        num_classes=400,
        in_channels=768,
        num_frames=num_frames,
        text_bank=None,
        num_prompts=16,  # ActionCLIP's templates (tools/build_text_bank.py default)
        text_channels=512,  # CLIP ViT-B/16 text embedding
        num_regions=2,  # K, Sec. IV-A
        embed_dims=256,  # d, Sec. IV-A
        loss_mtc=dict(type='MultiLevelTrackletContrastiveLoss', correlation=0.6, loss_weight=5.0),  # lambda, gamma_1
        sema_weight=5.0,  # gamma_2
        dropout_ratio=0.5,  # Sec. IV-A
        average_clips='prob'),
    # UniFormerV2's normalisation in MMAction2 (its checkpoints were trained with it)
    data_preprocessor=dict(type='ActionDataPreprocessor', mean=[114.75, 114.75, 114.75],
                           std=[57.375, 57.375, 57.375], format_shape='NCTHW'))
# Eq. 12: the bank follows its trained agent by EMA after every optimizer step.
custom_hooks = [dict(type='TextBankEMAHook')]
