"""Every config parses and builds; the Video-FocalNet configs carry the official recipe."""
import glob
import os.path as osp
import re
from unittest import mock

import pytest
from mmengine.config import Config

from helpers import REPO_ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
                 if f'{osp.sep}_base_{osp.sep}' not in p)
VIDEO_FOCALNET = [p for p in CONFIGS if 'video_focalnet' in p and 'motion-demo' not in p]


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    import mmaction_ext  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_parses_builds_and_follows_naming(path):
    from mmaction.registry import MODELS
    cfg = Config.fromfile(path)
    assert cfg.custom_imports == dict(imports=['mmaction_ext'], allow_failed_imports=False)
    name = osp.basename(path)[:-3]
    if 'focusvideo' in name or 'st-adapter' in name or name.startswith('art'):
        import torch
        linspace = torch.linspace
        # UniFormerV2 reads its drop-path rates with .item(), which the meta device cannot give: those on the CPU.
        with torch.device('meta'), mock.patch('torch.linspace', lambda *a, **k: linspace(*a, **dict(k, device='cpu'))):
            MODELS.build(cfg.model)  # CLIP / UniFormerV2 ViT-L/14 (300M parameters): construction without the memory
    else:
        MODELS.build(cfg.model)
    if cfg.get('train_dataloader') is None:
        # Test-only configs (reference predictors) have no schedule: {model}_{frames}x{interval}x{clips}_{dataset}
        assert re.fullmatch(r'[a-z0-9-]+_\d+x\d+x\d+_[a-z0-9-]+', name), name
        assert cfg.test_dataloader is not None and cfg.test_evaluator
        return
    # {model}_{backbone}_{pretrain}_{schedule}_{frames}x{interval}x{clips}_{dataset}
    assert re.fullmatch(r'[a-z0-9-]+_[a-z0-9-]+_[a-z0-9-]+_\d+xb\d+-\d+e_\d+x\d+x\d+_[a-z0-9-]+', name), name
    gpus, batch, epochs = map(int, re.search(r'_(\d+)xb(\d+)-(\d+)e_', name).groups())
    assert cfg.train_dataloader.batch_size == batch and cfg.train_cfg.max_epochs == epochs


@pytest.mark.parametrize('path', VIDEO_FOCALNET, ids=osp.basename)
def test_video_focalnet_configs_follow_the_official_recipe(path):
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    gpus, batch = map(int, re.search(r'_(\d+)xb(\d+)-', name).groups())
    # lr and schedule: the "Schedules" table of docs/video_focalnet.md (tests/configs/test_schedules.py)
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.type == 'SGD' and optimizer.nesterov and optimizer.momentum == 0.9
    assert cfg.auto_scale_lr.base_batch_size == gpus * batch
    assert cfg.optim_wrapper.clip_grad.max_norm == 5 and cfg.optim_wrapper.type == 'DeviceAmpOptimWrapper'
    head = cfg.model.cls_head
    assert head.average_clips == 'prob' and head.label_smooth_eps == 0.1 and head.get('dropout_ratio', 0) == 0
    blending = cfg.model.data_preprocessor.blending
    assert [(a.type, a.alpha, a.num_classes) for a in blending.augments] == [
        ('MixupBlending', 0.8, head.num_classes), ('CutmixBlending', 1.0, head.num_classes)]
    train = [t.type for t in cfg.train_dataloader.dataset.pipeline]
    sample = cfg.train_dataloader.dataset.pipeline[train.index('UniformSample')]
    assert (sample.clip_len, sample.num_clips) == (8, 1)  # 8 TSN segments, one frame each, as one 8-frame clip
    assert ('Flip' in train) is ('sthv2' not in name)
    jitter = cfg.train_dataloader.dataset.pipeline[train.index('ClipColorJitter')]
    assert (jitter.prob, jitter.brightness, jitter.contrast, jitter.saturation, jitter.hue) == (0.8, 0.4, 0.4, 0.2, 0.1)
    assert 'TorchVisionWrapper' in train and cfg.train_dataloader.drop_last
    test = cfg.test_dataloader.dataset.pipeline
    views = {t.type: t for t in test}
    assert views['UniformSample'].num_clips == 4 and views['ThreeCrop'].crop_size == 224  # 4 x 3 views
    arch = {'tiny': 'tiny', 'small': 'small', 'base': 'base'}[name.split('_')[1]]
    assert cfg.model.backbone.arch == arch and cfg.model.backbone.num_frames == 8
    expected_classes = {'kinetics400': 400, 'kinetics600': 600, 'sthv2': 174, 'diving48': 48, 'activitynet': 200}
    assert head.num_classes == expected_classes[name.rsplit('_', 1)[1][:-len('-rgb.py')]]
    pretrained = cfg.model.backbone.pretrained
    assert ('srf' in pretrained) is ('in1k-srf-pre' in name)


EMIM_PAPER = [p for p in CONFIGS if f'{osp.sep}emim{osp.sep}' in p and 'motion-demo' not in p]


@pytest.mark.parametrize('path', EMIM_PAPER, ids=osp.basename)
def test_emim_configs_follow_the_official_recipe(path):
    """docs/emim.md, "Recipe": the official runs' augmentation (repeated x2, RandAugment m7-n4, RandomResizedCrop
    0.08-1, random erasing 0.25, MixUp 0.8 / CutMix 1.0, label smoothing 0.1), AdamW wd 0.05 without decay on 1-D
    parameters, clip 20 (B16 K400: 5), mixed precision, per-run drop-path, dense sampling on K400 and sparse
    elsewhere, test views 4x3 (K400), 1x3 (B32 SSv2: 2x3); Something-Something and Diving48 start from K400. The
    lr and epochs: the "Schedules" table (tests/configs/test_schedules.py)."""
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    gpus, batch, epochs = map(int, re.search(r'_(\d+)xb(\d+)-(\d+)e_', name).groups())
    kinetics = 'kinetics400' in name
    assert gpus * batch == 32
    wrapper = cfg.optim_wrapper
    assert (wrapper.type, wrapper.optimizer.type, wrapper.optimizer.weight_decay) == ('DeviceAmpOptimWrapper', 'AdamW',
                                                                                       0.05)
    assert wrapper.paramwise_cfg == dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.)
    backbone = cfg.model.backbone
    b16_k400 = kinetics and backbone.get('arch') == 'b' and '_16x' in name
    assert wrapper.clip_grad.max_norm == (5 if b16_k400 else 20)
    assert backbone.type == 'UniFormerEMIM' and not backbone.get('temporal_downsample', False)
    assert backbone.get('inflate', 'average') == 'average'
    size = 'b32' if '_32x' in name else ('b' if backbone.get('arch') == 'b' else 's')
    dataset = 'k400' if kinetics else 'sthv1' if 'sthv1' in name else 'sthv2' if 'sthv2' in name else 'diving48'
    drop_path = {('s', 'k400'): 0.0875, ('b', 'k400'): 0.3, ('b32', 'k400'): 0.4, ('s', 'sthv1'): 0.25,
                 ('b', 'sthv1'): 0.4, ('b32', 'sthv1'): 0.55, ('s', 'sthv2'): 0.3, ('b', 'sthv2'): 0.4,
                 ('b32', 'sthv2'): 0.45, ('s', 'diving48'): 0.3, ('b', 'diving48'): 0.4}[(size, dataset)]
    if 'in1k-pre' in name and not kinetics:  # the ablation base from ImageNet (official s16 SSv1 IN-1K run)
        drop_path = 0.2
    assert backbone.drop_path_rate == drop_path
    ablation = re.match(r'uniformer-emim-', name) is not None
    if not ablation:
        assert backbone.get('placement', 'E-O') == ('O-O' if name.startswith('uniformer_') else 'E-O')
    loader = cfg.train_dataloader
    assert loader.dataset.type.startswith('RepeatAug') and loader.dataset.num_repeats == 2
    assert loader.collate_fn.type == 'repeat_pseudo_collate'
    train = {t.type: t for t in loader.dataset.pipeline}
    assert train['ClipRandAugment'].config_str == 'rand-m7-n4-mstd0.5-inc1'
    assert train['RandomResizedCrop'].area_range == (0.08, 1.0) and train['Resize'].scale == (224, 224)
    erasing = train['RandomErasing']
    assert (erasing.erase_prob, erasing.mode, erasing.fill_std) == (0.25, 'rand', (57.375, ) * 3)
    assert ('Flip' in train) == kinetics  # no flip on Something-Something / Diving48 (direction labels)
    head, blending = cfg.model.cls_head, cfg.model.data_preprocessor.blending
    assert head.label_smooth_eps == 0.1
    assert [(a.type, a.alpha, a.num_classes) for a in blending.augments] == [
        ('MixupBlending', 0.8, head.num_classes), ('CutmixBlending', 1.0, head.num_classes)]
    sampler = train['SampleFrames' if kinetics else 'UniformSample']
    frames = int(re.search(r'_(\d+)x\d+x1_', name).group(1))
    assert sampler.clip_len == frames and (sampler.frame_interval == 4 if kinetics else sampler.num_clips == 1)
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    assert test['SampleFrames' if kinetics else 'UniformSample'].clip_len == frames
    clips = test['SampleFrames' if kinetics else 'UniformSample'].num_clips
    assert test['Resize'].scale == (-1, 224) and test['ThreeCrop'].crop_size == 224
    assert clips == (4 if kinetics else 2 if size == 'b32' and dataset == 'sthv2' else 1)
    assert epochs == {'k400': 110, 'sthv1': 60, 'sthv2': 50, 'diving48': 60}[dataset]
    if 'in1k-pre' in name:  # ImageNet UniFormer (K400 and the ablations)
        assert cfg.model.backbone.pretrained.endswith('_in1k.pth') and cfg.get('load_from') is None
        if kinetics:  # the fine-tuning configs load this run's best checkpoint through the link
            assert dict(type='BestCheckpointLinkHook') in cfg.custom_hooks
    else:
        assert re.fullmatch(r'work_dirs/uniformer(-emim)?_(small|base)_in1k-pre_8xb4-110e_(16|32)x4x1_kinetics400-rgb/'
                            r'best\.pth', cfg.load_from)
    if not kinetics:
        assert cfg.model.cls_head.num_classes == (48 if 'diving48' in name else 174)


def test_emim_ablation_configs_change_one_thing_each():
    """Tables 5-8, 10 and 11 (SSv1, EMIM-S from ImageNet): each config differs from the ablation base in the
    switch its table studies."""
    folder = osp.join(REPO_ROOT, 'configs', 'emim')
    base = Config.fromfile(osp.join(folder, 'uniformer-emim_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py'))
    base = base.model.backbone
    expected = {f'k{k}-stage3': dict(emim_stages=(3, ), window_size=k) for k in (3, 5, 7, 9, 11)}
    expected.update({'block': dict(sampling='block'), 'nomotion': dict(with_motion=False),
                     'ee': dict(placement='E-E'), 'oe': dict(placement='O-E'), 'oo': dict(placement='O-O'),
                     'interval2': dict(temporal_interval=2), 'interval3': dict(temporal_interval=3),
                     'costvolume': dict(appearance='global')})
    for variant, change in expected.items():
        path = osp.join(folder, f'uniformer-emim-{variant}_small_in1k-pre_8xb4-60e_16x1x1_sthv1-rgb.py')
        backbone = Config.fromfile(path).model.backbone
        assert {k: v for k, v in backbone.items() if base.get(k) != v} == change, variant


ART_PAPER = [p for p in CONFIGS if f'{osp.sep}art{osp.sep}' in p and 'motion-demo' not in p]
ART_CLASSES = {'finegym99': 99, 'finegym288': 288, 'diving48': 48, 'ntu60': 60, 'ntu120': 120, 'kinetics400': 400,
               'kinetics600': 600}


@pytest.mark.parametrize('path', ART_PAPER, ids=osp.basename)
def test_art_configs_follow_the_paper_recipe(path):
    """Sec. IV-A: 50 epochs, lr 0.01 x 0.1 every 20, dropout 0.5, T = 16 by sparse sampling, 224 x 224, random
    scaling / cropping / flipping, batch 24; K = 2, d = 256, 4 + 4 layers, gamma_1 = gamma_2 = 5, lambda = 0.6;
    the bank's width is the CLIP text tower's (B/16: 512, L/14: 768) and its EMA hook is on."""
    cfg = Config.fromfile(path)
    name = osp.basename(path)
    gpus, batch, epochs = map(int, re.search(r'_(\d+)xb(\d+)-(\d+)e_', name).groups())
    assert gpus * batch == 24 and epochs == 50
    assert cfg.optim_wrapper.optimizer.lr == 0.01
    (step, ) = cfg.param_scheduler
    assert (step.type, step.milestones, step.gamma) == ('MultiStepLR', [20, 40], 0.1)
    head = cfg.model.cls_head
    assert head.type == 'ARTHead' and head.dropout_ratio == 0.5 and head.num_frames == 16
    assert (head.num_regions, head.embed_dims, head.sema_weight) == (2, 256, 5.0)
    assert head.get('num_encoder_layers', 4) == head.get('num_decoder_layers', 4) == 4
    if head.get('loss_mtc'):
        assert (head.loss_mtc.loss_weight, head.loss_mtc.correlation) == (5.0, 0.6)
    dataset = re.search(r'_16x1x1_([a-z0-9]+)', name).group(1)
    assert head.num_classes == ART_CLASSES[dataset]
    assert head.text_channels == (768 if 'l14' in name else 512)
    assert head.text_bank.endswith(f'clip-vit-{"l14" if "l14" in name else "b16"}.pth')
    assert (dict(type='TextBankEMAHook') in cfg.custom_hooks) == head.get('rssa', True)
    train = {t.type: t for t in cfg.train_dataloader.dataset.pipeline}
    assert train['UniformSample'].clip_len == 16 and train['UniformSample'].num_clips == 1
    assert train['Resize'].scale == (224, 224) and train['Flip'].flip_ratio == 0.5 and 'MultiScaleCrop' in train
    test = {t.type: t for t in cfg.test_dataloader.dataset.pipeline}
    assert test['UniformSample'].clip_len == 16 and test['ThreeCrop'].crop_size == 224
    assert test['UniformSample'].num_clips == (4 if 'kinetics' in name else 1)
    assert cfg.model.backbone.type == ('TEAResNet' if 'tea-r50' in name else 'UniFormerV2Tokens')
    assert train['MultiScaleCrop'].num_fixed_crops == 13  # TEA's crop positions
    # the paper's initialisation, never silently random (tests/configs/test_pretrained_files.py)
    pretrained = cfg.model.backbone.pretrained
    if 'tea-r50' in name:
        assert pretrained == 'data/pretrained/res2net50_26w_4s.pth' and cfg.model.backbone.norm_eval is False
    elif 'k710-pre' in name:
        assert pretrained.endswith('uniformerv2-large-p14-res224_clip-pre_u8_kinetics710-rgb.pth')
    else:
        assert pretrained.endswith('kinetics400-rgb.pth') and ('large-p14' in pretrained) == ('l14' in name)
    assert cfg.optim_wrapper.paramwise_cfg == dict(norm_decay_mult=0., bias_decay_mult=0., flat_decay_mult=0.)


def test_art_ablation_configs_change_one_thing_each():
    """Tables IV-VI on FineGym99 B/16: each config differs from full ART in the switches its row studies."""
    folder = osp.join(REPO_ROOT, 'configs', 'art')
    suffix = '_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py'
    base = Config.fromfile(osp.join(folder, 'art' + suffix)).model.cls_head.to_dict()
    frozen = dict(finetune_losses=[])
    no_mtc = dict(loss_mtc=None, finetune_losses=[])
    mtc = base['loss_mtc']
    expected = {
        'art-baseline': dict(rssa=False), 'art-rssa-sum': dict(aggregation='sum', **no_mtc),
        'art-rssa-sum-no-se': dict(aggregation='sum', spatial_enhancement=False, **no_mtc),
        'art-rssa-ta': no_mtc, 'art-rssa-ta-mtc': frozen,
        'art-mtc-spatial': dict(loss_mtc=dict(mtc, spatial=True, temporal=False, tracklet=False), **frozen),
        'art-mtc-temporal': dict(loss_mtc=dict(mtc, spatial=False, temporal=True, tracklet=False), **frozen),
        'art-mtc-tracklet': dict(loss_mtc=dict(mtc, spatial=False, temporal=False, tracklet=True), **frozen),
        'art-mtc-spatial-temporal': dict(loss_mtc=dict(mtc, spatial=True, temporal=True, tracklet=False), **frozen),
        'art-sema-video': dict(finetune_losses=['video']), 'art-sema-prototype': dict(finetune_losses=['prototype']),
    }
    for variant, change in expected.items():
        head = Config.fromfile(osp.join(folder, variant + suffix)).model.cls_head.to_dict()
        assert {k: v for k, v in head.items() if base.get(k) != v} == change, variant
