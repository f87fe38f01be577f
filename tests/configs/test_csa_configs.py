"""The CSA paper configs carry the released per-dataset settings (issue table / docs/csa.md) and recipe."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import REPO_ROOT

# encoder / decoder layers, N_a, match cost (conf, L1, GIoU), loss (class, L1, GIoU, conf), no-object weight,
# label smoothing, class loss on sigmoid(cls) * p_actor, crop, resize, mode, frames
SETTINGS = {
    'ava22': ((6, 6), 15, (12, 5, 2), (10, 5, 2, 1), 0.1, 0.1, False, 256, 288, 'keyframe'),
    'jhmdb51-21': ((3, 3), 5, (4, 5, 2), (4, 5, 2, 3), 0.5, 0.0, True, 256, 288, 'tube'),
    'ucf101-24': ((3, 3), 15, (4, 5, 2), (4, 5, 2, 3), 0.5, 0.0, True, 224, 256, 'tube'),
}
PAPER = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', 'csa', '*.py')) if 'motion-demo' not in p)


def test_every_dataset_has_a_config():
    names = [osp.basename(p) for p in PAPER]
    # CSN-152, ViT-B K400, ViT-B K710, each for training and for the released weights
    assert sum('ava22' in n for n in names) == 6 and sum('released' in n for n in names) == 5
    assert sum('jhmdb51-21' in n for n in names) == 2 and sum('ucf101-24' in n for n in names) == 2


@pytest.mark.parametrize('path', PAPER, ids=osp.basename)
def test_paper_config_settings(path):
    cfg = Config.fromfile(path)
    dataset = next(key for key in SETTINGS if key in path)
    layers, queries, costs, losses, no_object, smoothing, on_actor, crop, resize, mode = SETTINGS[dataset]
    model = cfg.model
    assert (model.encoder.num_layers, model.decoder.num_layers) == layers
    assert model.num_queries == queries and model.mode == mode and model.embed_dims == 256
    assert model.num_levels == 4 and model.encoder.layer_cfg.self_attn_cfg.num_points == 8
    assert model.encoder.layer_cfg.self_attn_cfg.num_heads == 8 and model.decoder.num_heads == 8
    assert model.decoder.feedforward_channels == 2048
    import mmaction_ext  # noqa: F401
    from mmaction_ext.models.losses import CSACriterion
    criterion = CSACriterion(model.num_classes, **model.criterion)  # the settings as the model builds them
    assert [type(c).__name__ for c in criterion.assigner.match_costs] == ['ActorConfidenceCost', 'BBoxL1Cost',
                                                                         'IoUCost']
    assert tuple(c.weight for c in criterion.assigner.match_costs) == costs
    weights = criterion.loss_weights
    assert (weights['cls'], weights['bbox'], weights['giou'], weights['conf']) == losses
    assert criterion.no_object_weight == no_object and criterion.label_smoothing == smoothing
    assert criterion.class_on_actor == on_actor and criterion.assign_per == 'frame'
    train = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    resize_key = 'TubeResize' if mode == 'tube' else 'Resize'
    assert train[resize_key].scale == (-1, resize) and test[resize_key].scale == (-1, crop)
    # augmentation of the training code: aspect-preserving crop, HSV jitter, PCA lighting
    crop_key = 'TubeAspectRandomCrop' if mode == 'tube' else 'AspectRandomCrop'
    assert train[crop_key].size == crop and 'PCALighting' in train
    assert train['HSVJitter'].saturation == (102 if dataset == 'ava22' else 128) and train['HSVJitter'].hue == 10
    if mode == 'keyframe':  # frames sampled without MMAction2's jitter, as the training code
        assert train['SampleAVAFrames'].test_mode
    # optimizer and clipping (lr, groups and schedule: the "Schedules" table, tests/configs/test_schedules.py)
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.type == 'AdamW' and cfg.optim_wrapper.clip_grad.max_norm == 0.1
    if model.backbone.type == 'VisionTransformer':
        assert model.backbone.drop_path_rate == 0.2
    # the class loss of each dataset's released code (tests/models/losses/test_csa_class_loss_official.py)
    normalizer = {'ava22': 'none', 'jhmdb51-21': 'valid_frames', 'ucf101-24': 'frames'}[dataset]
    assert criterion.cls_normalizer == normalizer and criterion.label_smoothing_mode == 'binary'
    if dataset == 'ucf101-24':
        assert cfg.train_dataloader.dataset.type == 'UCF24TubeDataset'  # its default grid: 'centred'
    # the tiny-data levers (docs/csa.md "Our choices") stay out of the released settings
    assert 'anchors' not in cfg.optim_wrapper.paramwise_cfg.custom_keys and 'init_cfg' not in model.decoder
    released = 'released' in path
    assert (model.encoder.layer_cfg.self_attn_cfg.get('offset_normalizer', 'whT') == 'official') == released


def test_tiny_configs_apply_the_tiny_data_levers():
    import torch
    from mmaction.registry import MODELS
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope

    import mmaction_ext  # noqa: F401
    init_default_scope('mmaction')
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'csa',
                                   'csa_r18-tiny_scratch_1xb2-10e_8x1x1_motion-demo-tube-large.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    gamma = model.decoder.class_norm.weight
    assert 0.3 < gamma.std().item() < 0.7 and abs(gamma.mean().item() - 1) < 0.2  # N(1, 0.5), not all ones
    assert model.decoder.class_norm.bias.abs().max() == 0
    optimizer = build_optim_wrapper(model, cfg.optim_wrapper).optimizer
    rates = {id(p): group['lr'] for group in optimizer.param_groups for p in group['params']}
    assert rates[id(model.anchors.weight)] == pytest.approx(10 * cfg.optim_wrapper.optimizer.lr)
    assert rates[id(model.decoder.ref_anchor_head.layers[0].weight)] == pytest.approx(cfg.optim_wrapper.optimizer.lr)
