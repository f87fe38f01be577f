# FocusVideo-B/16 (paper Sec. 3-4; every default's source is in docs/focusvideo.md): frozen CLIP ViT-B/16 with
# ST-Adapters (global branch) + 8 action queries per frame, a shared QP layer after every block and the local
# spatio-temporal layer (local branch); head: add the pooled features, dropout, Linear; L_cls + L_recon.
model = dict(
    type='Recognizer3D',
    backbone=dict(
        type='FocusVideoCLIP',
        arch='ViT-B/16',
        num_frames=8,
        # eqs. 1-4: one adapter per block, before attention (the queries read adapted tokens); SSv2 adds pre_mlp
        adapter_positions=('pre_attn', ),
        adapter_channels=384,
        num_queries=8,
        interaction='attention',
        propagation_layers='all',
        share_propagation=True,
        local_st_modeling=True,
        # OpenAI's released ViT-B-16.pt (TorchScript: add model.backbone.trust_torchscript=True if you trust it,
        # or save its state_dict once); no weights are downloaded.
        pretrained='checkpoints/clip/ViT-B-16.pt'),
    cls_head=dict(
        type='FocusVideoHead',
        num_classes=400,
        in_channels=768,
        fusion='add',
        dropout_ratio=0.5,  # paper silent: ST-Adapter's
        # Paper default (Table 3f): per-frame features of a trained global-branch model, read from a file written
        # by tools/extract_features.py (the dataset configs load them as recon_target).
        query_supervision='recon_offline',
        loss_recon=dict(type='ReconstructionContrastiveLoss', temperature=0.1, loss_weight=1.0),  # tau: paper silent
        average_clips='prob'),
    # CLIP's normalisation (paper silent; ST-Adapter's dataset.py), in 0-255 pixel units.
    data_preprocessor=dict(
        type='ActionDataPreprocessor',
        mean=[122.771, 116.746, 104.093],
        std=[68.500, 66.632, 70.323],
        format_shape='NCTHW'))
