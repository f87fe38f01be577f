"""Run a shipped config the way a user does, on a few samples in its dataset's real on-disk layout.

``smoke_config(path, data_root, work_dir)`` returns the config ready for mmengine's ``Runner`` (as
``tools/train.py`` builds it), after:

1. **The smoke override** (:data:`SMOKE_OVERRIDE`, the only change to the model): widths, depths and bank
   sizes shrink so that a training step takes seconds. Every setting that decides a shape stays as shipped:
   frames, tubelet, crop / input size, patch size, test views, classes, queries, regions, levels, sampling
   points, the text bank's templates.
2. Runtime settings: 2 clips per training batch (one iteration: the training list holds 2 entries), no
   dataloader workers, one epoch with validation after it, checkpoints every epoch, logs every iteration.
3. The data: :func:`write_config_data` writes what the config's dataloaders, evaluators, text bank and
   pretrained files name, at the paths it names, relative to ``data_root`` (the working directory of the run),
   with the writers of ``mmaction_ext.datasets.synthetic.layouts``.
"""
import copy
import os
import os.path as osp
import re
from contextlib import contextmanager
from typing import Dict, List, Optional

from mmengine.config import Config, ConfigDict

from . import REPO_ROOT, load_tool

NUM_TRAIN, NUM_VAL = 2, 1
ONLINE_DATASETS = ('MotionDemoDataset', 'MotionDemoTubeDataset', 'MotionDemoAVADataset')
VIDEO_FRAMES = 136  # >= every sampler's span: 32 x 4 (EMIM-B32 K400), 8 x 16 (FocusVideo K400)

# One table: backbone type -> (its shrunk arguments, the width the neck / head then reads).
SMOKE_OVERRIDE: Dict[str, dict] = {
    'VideoFocalNet': dict(arch=dict(embed_dims=8, depths=(1, 1, 1, 1), focal_levels=(2, 2, 2, 2),
                                    focal_windows=(3, 3, 3, 3))),
    'UniFormerEMIM': dict(arch=dict(depth=[1, 1, 2, 2]), embed_dim=[8, 8, 16, 16], head_dim=8),
    'VisionTransformer': dict(embed_dims=32, depth=1, num_heads=2),
    'ResNet3dCSN': dict(depth=50, base_channels=8),
    'CLIPViT': dict(adapter_channels=8),
    'FocusVideoCLIP': dict(adapter_channels=8),
    'UniFormerV2Tokens': dict(width=32, layers=2, heads=2, return_list=[0, 1], n_layers=2, n_dim=32, n_head=2,
                              mlp_dropout=[0.5, 0.5]),
    'TEAResNet': dict(base_channels=16, me_reduction=4),  # Res2Net 26w4s: 6 channels per scale
    'ResNet3d': dict(),  # the demo's R3D-18 (width 16 / 32) is already small
}
# The width of the shrunk CLIP towers (vision: 32, 2 blocks, 2 heads; the text tower of the tiny CLIP the
# text banks are built with: embedding 32).
CLIP_WIDTH, TEXT_WIDTH = 32, 32
# Text banks: two templates ("a video of {}.", "{}") instead of ActionCLIP's 16.
BANK_TEMPLATES = ('a video of {}.', '{}')
# Heads / detectors: their own widths.
HEAD_OVERRIDE = {
    'ARTHead': dict(embed_dims=16, ffn_channels=32, num_heads=2, text_channels=TEXT_WIDTH,
                    num_prompts=len(BANK_TEMPLATES)),
    'FocusVideoHead': dict(),
    'CSADetector': dict(embed_dims=32),  # and one encoder / decoder layer of 2 heads, 1 sampling point
}


def _backbone_width(backbone: ConfigDict) -> int:
    kind = backbone.type
    if kind == 'VideoFocalNet':
        stages = len(backbone.arch['depths'])
        return backbone.arch['embed_dims'] * 2**(stages - 1)
    if kind == 'UniFormerEMIM':
        return backbone.embed_dim[-1]
    if kind in ('VisionTransformer', ):
        return backbone.embed_dims
    if kind in ('CLIPViT', 'FocusVideoCLIP', 'UniFormerV2Tokens'):
        return CLIP_WIDTH
    if kind == 'ResNet3dCSN':
        return backbone.base_channels * 32
    if kind == 'TEAResNet':
        return backbone.base_channels * 32
    raise KeyError(f'no smoke width for backbone {kind}')


def _shrink_clip_arch(backbone: ConfigDict) -> None:
    from mmaction_ext.models.layers.clip_vision import clip_vision_arch
    arch = clip_vision_arch(backbone.get('arch', 'ViT-B/16'))
    backbone.arch = dict(width=CLIP_WIDTH, layers=2, heads=2, patch_size=arch['patch_size'],
                         image_size=arch['image_size'], output_dim=16)


def shrink_model(model: ConfigDict) -> None:
    """Apply :data:`SMOKE_OVERRIDE` to ``cfg.model`` in place."""
    backbone = model.get('backbone')
    if backbone is None:  # reference predictors (the oracle tube detector)
        return
    if backbone.type not in SMOKE_OVERRIDE:
        raise KeyError(f'SMOKE_OVERRIDE has no entry for backbone {backbone.type}: add one')
    if backbone.type == 'ResNet3d':
        return
    backbone.update(copy.deepcopy(SMOKE_OVERRIDE[backbone.type]))
    if backbone.type in ('CLIPViT', 'FocusVideoCLIP'):
        _shrink_clip_arch(backbone)
    if backbone.type == 'UniFormerV2Tokens':
        backbone.pop('arch', None)
        backbone.setdefault('patch_size', 14 if model.backbone.get('arch', 'B/16') == 'L/14' else 16)
    width = _backbone_width(backbone)
    if model.type == 'CSADetector':
        dims = HEAD_OVERRIDE['CSADetector']['embed_dims']
        model.embed_dims = dims
        model.encoder.layer_cfg.ffn_cfg.feedforward_channels = 2 * dims
        model.encoder.layer_cfg.self_attn_cfg.update(num_points=1, num_heads=2)
        model.encoder.num_layers = 1
        model.decoder.num_heads = 2
        model.decoder.feedforward_channels = 2 * dims
        model.decoder.num_layers = 1
        neck = model.neck
        neck.out_channels = dims
        if neck.type == 'SimplePyramid3D':
            neck.in_channels = width
        else:  # MultiLevelProjection3D on ircsn stages 2-4
            neck.in_channels = tuple(backbone.base_channels * 4 * 2**i for i in (1, 2, 3))
            neck.num_groups = 8
        return
    head = model.cls_head
    head.in_channels = width
    head.update(HEAD_OVERRIDE.get(head.type, {}))


def _set_runtime(cfg: Config, work_dir: str) -> None:
    cfg.work_dir = work_dir
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            continue
        loader.num_workers = 0
        loader.persistent_workers = False
        if split == 'train':
            loader.batch_size = NUM_TRAIN
    if cfg.get('train_cfg') and cfg.train_cfg.get('type', 'EpochBasedTrainLoop') == 'EpochBasedTrainLoop':
        cfg.train_cfg.max_epochs = 1
        cfg.train_cfg.val_begin = 1
        cfg.train_cfg.val_interval = 1
    hooks = cfg.get('default_hooks', ConfigDict())
    if 'logger' in hooks:
        hooks.logger.interval = 1
    if 'checkpoint' in hooks:
        hooks.checkpoint.interval = 1
    cfg.log_level = 'WARNING'
    cfg.visualizer = dict(type='ActionVisualizer', vis_backends=[dict(type='LocalVisBackend')])


def smoke_config(path: str, work_dir: str, shrink: bool = True, launcher: str = 'none') -> Config:
    """The config at ``path`` with the smoke override and the runtime settings above (``launcher='pytorch'``: as
    ``tools/dist_train.sh`` loads it)."""
    from mmaction_ext.engine import load_config
    cfg = load_config(path, work_dir=work_dir, launcher=launcher)
    if shrink and 'motion-demo' not in path:  # the demo configs are CPU-sized already
        shrink_model(cfg.model)
    _set_runtime(cfg, work_dir)
    for split in ('train', 'val', 'test'):  # datasets drawn on the fly: a few samples, as the file datasets
        dataset = (cfg.get(f'{split}_dataloader') or {}).get('dataset')
        if dataset is not None and dataset.type in ONLINE_DATASETS:
            dataset.indices = NUM_TRAIN if split == 'train' else NUM_VAL
    return cfg


# ------------------------------------------------------------------------------------------------ data
def _dataset_kind(path: str) -> str:
    """Which dataset's file naming a data path belongs to."""
    for key, kind in (('kinetics', 'kinetics'), ('sthv1', 'sthv1'), ('sthv2', 'sthv2'), ('diving48', 'diving48'),
                      ('gym', 'gym'), ('ntu', 'ntu'), ('ActivityNet', 'activitynet'), ('ucf101/', 'ucf101')):
        if key in path:
            return kind
    return 'other'


def _num_classes(cfg: Config) -> int:
    model = cfg.model
    if model.get('cls_head') is not None:
        return model.cls_head.num_classes
    return model.num_classes


def _entries(kind: str, count: int, num_classes: int, first: int, ext: str = '') -> List[tuple]:
    entries = []
    for i in range(first, first + count):
        label = (7 * i) % num_classes
        entries.append((fake_entry_name(kind, i, label, ext), label))
    return entries


def fake_entry_name(kind, index, label, ext):
    from mmaction_ext.datasets.synthetic.layouts import fake_entry_name as name
    return name(kind, index, label, ext)


def _write_dataset(dataset: ConfigDict, num_classes: int, subset: str) -> None:
    from mmaction_ext.datasets.synthetic import layouts
    kind = dataset.type
    count, first = (NUM_TRAIN, 0) if subset == 'train' else (NUM_VAL, 100)
    ann_file = dataset.get('ann_file', '')
    if kind in ('VideoDataset', 'RepeatAugDataset', 'RepeatAugVideoDataset'):
        naming = _dataset_kind(ann_file)
        ext = {'sthv2': '.webm', 'ucf101': '.avi'}.get(naming, '.mp4')
        entries = _entries(naming, count, num_classes, first, ext)
        layouts.write_video_dataset(ann_file, dataset.data_prefix.video, entries, VIDEO_FRAMES)
    elif kind in ('RawframeDataset', 'RepeatAugRawframeDataset'):
        naming = _dataset_kind(ann_file)
        entries = _entries(naming, count, num_classes, first)
        layouts.write_rawframe_dataset(ann_file, dataset.data_prefix.img, entries, VIDEO_FRAMES,
                                       dataset.get('filename_tmpl', 'img_{:05}.jpg'), dataset.get('start_index', 1))
    elif kind == 'AVADataset':
        layouts.write_ava_dataset(dataset.data_prefix.img, ann_file, dataset.get('label_file'),
                                  dataset.get('exclude_file'), dataset.get('proposal_file'),
                                  videos=[f'-{subset}5KQ66BBWC4'[:11]], timestamps=(902, ) if subset != 'train' else (902, 903),
                                  num_classes=dataset.get('num_classes', 81) - 1, fps=dataset.get('fps', 30),
                                  timestamp_start=dataset.get('timestamp_start', 900))
    elif kind in ('ActionTubeDataset', 'UCF24TubeDataset', 'JHMDBTubeDataset'):
        _write_act(dataset, num_classes)
    else:
        raise KeyError(f'no fake-data writer for dataset type {kind}')


def _write_act(dataset: ConfigDict, num_classes: int) -> None:
    from mmaction_ext.datasets.synthetic import layouts
    if osp.isfile(dataset.ann_file):
        return  # train and test share the pickle
    jhmdb = dataset.type == 'JHMDBTubeDataset'
    frames = 34 if jhmdb else 30  # one clip each: JHMDB's 40 and UCF's 32 frames, centre-padded
    videos = {}
    for index, subset in enumerate(('train', 'train', 'test')):
        label = (5 * index) % num_classes
        videos[f'Class{label:02d}/video_{index:02d}'] = (frames, label, subset)
    prefix = dataset.data_prefix
    frame_root = prefix.get('img')
    tmpl = dataset.get('filename_tmpl', '{:05d}.png' if jhmdb else '{:05d}.jpg')
    layouts.write_act_dataset(dataset.ann_file, [f'class {i}' for i in range(num_classes)], videos,
                              frame_root=frame_root, filename_tmpl=tmpl, video_root=prefix.get('video'),
                              size=(120, 160))


# ------------------------------------------------------------------------------------------------ weights
def _named_files(cfg: Config) -> Dict[str, str]:
    """Weight files the config names: ``{path: kind}`` with kind ``'backbone'`` (``backbone.pretrained`` or a
    backbone ``Pretrained`` init_cfg), ``'model'`` (a model-level ``Pretrained`` init_cfg) or ``'load_from'``."""
    files = {}
    backbone = cfg.model.get('backbone') or {}
    if backbone.get('pretrained'):
        files[backbone.pretrained] = 'backbone'
    for owner, kind in ((backbone, 'backbone'), (cfg.model, 'model')):
        init = owner.get('init_cfg')
        for item in (init if isinstance(init, list) else [init]):
            if item and item.get('type') == 'Pretrained':
                files[item['checkpoint']] = kind
    if cfg.get('load_from'):
        files[cfg.load_from] = 'load_from'
    return files


def upstream_config(path: str) -> Optional[str]:
    """The config whose run writes ``path`` (``work_dirs/<config name>/...``), or None."""
    parts = path.replace(os.sep, '/').split('/')
    if 'work_dirs' not in parts:
        return None
    name = parts[parts.index('work_dirs') + 1]
    found = [p for p in _all_configs() if osp.basename(p)[:-3] == name]
    if not found:
        raise FileNotFoundError(f'{path}: no config named {name} writes it')
    return found[0]


def _all_configs() -> List[str]:
    import glob
    return sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'), recursive=True)
                  if f'{osp.sep}_base_{osp.sep}' not in p)


def _write_backbone_weights(cfg: Config, path: str, kind: str) -> None:
    """A weight file at ``path`` for the (shrunk) model of ``cfg``, in the format of the file the config names:
    official FocalNet / Video-FocalNet checkpoints (``tests/helpers/video_focalnet_official.py``), ImageNet UniFormer
    (2D kernels, no EMIM parameters), the released Res2Net (no TEA modules), a CLIP state_dict (``visual.*``), and
    MMAction2 checkpoints (``backbone.*`` keys, or the whole model) for the rest."""
    import torch
    from mmaction.registry import MODELS
    model_cfg = copy.deepcopy(cfg.model)
    backbone = model_cfg.backbone
    if 'pretrained' in backbone:
        backbone.pretrained = None
    backbone.pop('init_cfg', None)
    model_cfg.pop('init_cfg', None)
    if model_cfg.get('cls_head') is not None and model_cfg.cls_head.get('type') == 'ARTHead':
        model_cfg.cls_head.allow_random_bank = True
        model_cfg.cls_head.text_bank = None
    model = MODELS.build(model_cfg)
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    weights = model.backbone.state_dict()
    if backbone.type == 'VideoFocalNet':
        from .video_focalnet_official import official_state_dict, save_official_checkpoint
        arch = backbone.arch
        save_official_checkpoint(path, official_state_dict(arch['embed_dims'], arch['depths'], video='srf' not in path,
                                                           focal_level=arch['focal_levels'][0]))
        return
    if backbone.type == 'UniFormerEMIM' and 'in1k' in path:  # ImageNet UniFormer: 2D kernels, no EMIM parameters
        weights = {k: (v.mean(2) if v.dim() == 5 else v) for k, v in weights.items()
                   if '.rpb' not in k and 'motion_conv' not in k}
        torch.save(dict(model=weights), path)
        return
    if backbone.type == 'TEAResNet':  # the released Res2Net: no motion excitation or temporal convolutions
        torch.save({k: v for k, v in weights.items() if '.me.' not in k and 'temporal_convs' not in k}, path)
        return
    if backbone.type in ('CLIPViT', 'FocusVideoCLIP'):
        torch.save({f'visual.{k}': v for k, v in model.backbone.visual.state_dict().items()}, path)
    elif kind == 'model':
        torch.save(dict(state_dict=model.state_dict()), path)
    else:
        torch.save(dict(state_dict={f'backbone.{k}': v for k, v in model.backbone.state_dict().items()}), path)


# ------------------------------------------------------------------------------------------------ text banks
def _tiny_clip(root: str) -> str:
    path = osp.join(root, 'checkpoints', 'tiny_clip.pth')
    if not osp.isfile(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
        load_tool('tools/misc/make_tiny_clip.py').main([path])
    return path


def _write_text_bank(bank: str, num_classes: int, class_names: Optional[str], root: str, num_prompts: int) -> None:
    """The bank ``tools/build_text_bank.py`` builds from the class-name file the config names (written first): with
    :data:`BANK_TEMPLATES` for shrunk configs, ActionCLIP's default 16 for the demo configs."""
    if osp.isfile(bank):
        return
    names = class_names or osp.join(osp.dirname(bank), 'classes.txt')
    if not osp.isfile(names):
        os.makedirs(osp.dirname(names) or '.', exist_ok=True)
        with open(names, 'w') as f:
            f.writelines(f'action {i}\n' for i in range(num_classes))
    options = []
    if num_prompts == len(BANK_TEMPLATES):
        templates = osp.join(root, 'checkpoints', 'smoke_templates.txt')
        if not osp.isfile(templates):
            os.makedirs(osp.dirname(templates), exist_ok=True)
            with open(templates, 'w') as f:
                f.write('\n'.join(BANK_TEMPLATES) + '\n')
        options = ['--templates', templates]
    load_tool('tools/build_text_bank.py').main([_tiny_clip(root), names, bank, *options])


_ENVIRONMENT = {}


@contextmanager
def unformatted_config_text():
    """Two costs of every mmengine Runner that tell nothing about a config, skipped in the smoke runs: formatting
    the config's text with yapf each time it is logged or checkpointed (about 0.8 s a time), and collecting the
    environment report (compiler versions from subprocesses, about 1.5 s): collected once."""
    from mmengine.config import config as config_module
    from mmengine.runner import runner as runner_module
    originals = config_module.FormatCode, runner_module.collect_env
    if not _ENVIRONMENT:
        _ENVIRONMENT.update(runner_module.collect_env())
    config_module.FormatCode = lambda text, **kwargs: (text, None)
    runner_module.collect_env = lambda: dict(_ENVIRONMENT)
    try:
        yield
    finally:
        config_module.FormatCode, runner_module.collect_env = originals


# ------------------------------------------------------------------------------------------------ all of it
def _feature_dirs(cfg: Config) -> List[str]:
    pipeline = cfg.train_dataloader.dataset.pipeline if cfg.get('train_dataloader') else []
    return [step['feature_dir'] for step in pipeline if step['type'] == 'LoadFrameFeatureTargets']


def feature_producer(feature_dir: str) -> str:
    """The config whose model writes the feature store ``feature_dir`` (as its docs say)."""
    names = {
        'data/kinetics400/focusvideo_targets_vit-b16': 'st-adapter_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb',
        'data/kinetics400/focusvideo_targets_vit-l14': 'st-adapter_vit-l14_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb',
        'data/sthv2/focusvideo_targets_vit-b16': 'st-adapter_vit-b16_clip-pre_4xb16-50e_8x1x1_sthv2-rgb',
        'data/sthv2/focusvideo_targets_vit-l14': 'st-adapter_vit-l14_clip-pre_4xb16-50e_8x1x1_sthv2-rgb',
        'data/motion_demo_online/focusvideo_targets': 'clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online',
    }
    if feature_dir not in names:
        raise KeyError(f'no config is known to produce the feature store {feature_dir}')
    return next(p for p in _all_configs() if osp.basename(p)[:-3] == names[feature_dir])


def _write_motion_demo(dataset: ConfigDict, num_classes: int) -> None:
    from mmaction_ext.datasets.synthetic import generate_classification, generate_detection
    ann_file = dataset.get('ann_file', '')
    if 'detection' in ann_file:
        root = ann_file.split('/detection/')[0] + '/detection'
        generate_detection(root, num_classes=12, num_train=2, num_val=1, num_frames=16, height=64, width=96,
                           rawframes='img' in dataset.data_prefix, progress=False)
        return
    root = dataset.data_prefix.video  # data/motion_demo*/classification: the videos of every demo list
    generate_classification(root, num_classes=12, train_per_class=1, val_per_class=1, num_frames=24, size=64,
                            progress=False)
    if '/zero_shot/' in ann_file:  # the zero-shot demo's documented split
        zero = osp.dirname(ann_file)
        split = load_tool('tools/data/split_classes.py')
        split.main([f'{root}/train_list.txt', f'{root}/classes.txt', f'{zero}/seen_train_list.txt', '--classes',
                    *map(str, range(8)), '--names-out', f'{zero}/seen_classes.txt'])
        split.main([f'{root}/val_list.txt', f'{root}/classes.txt', f'{zero}/unseen_val_list.txt', '--classes',
                    '8', '9', '10', '11', '--names-out', f'{zero}/unseen_classes.txt'])


def _write_demo_class_names(names: str) -> None:
    """The online demo's class-name files, by the commands its configs document (the zero-shot split: classes 0-7
    seen, 8-11 unseen)."""
    from mmaction_ext.datasets.synthetic.generate import main as generate
    indices = {'seen_classes.txt': range(8), 'unseen_classes.txt': range(8, 12)}.get(osp.basename(names), range(12))
    generate([osp.dirname(names), '--flavour', 'classes', '--class-indices', *map(str, indices), '--classes-file',
              osp.basename(names)])


def write_config_data(cfg: Config, root: str, run_upstream) -> None:
    """Write, relative to the working directory ``root``, everything ``cfg`` reads: datasets, class names and text
    banks, frame-feature stores (FocusVideo, by running the producer config's extraction), pretrained files (from
    the shrunk model) and ``load_from`` / work-dir weights (by running the upstream config: ``run_upstream(path)``)."""
    num_classes = _num_classes(cfg)
    for split in ('train', 'val', 'test'):
        loader = cfg.get(f'{split}_dataloader')
        if loader is None:
            continue
        dataset = loader.dataset
        if dataset.type in ONLINE_DATASETS:  # drawn on the fly (a few samples: smoke_config)
            continue
        if 'motion_demo' in dataset.get('ann_file', ''):
            _write_motion_demo(dataset, num_classes)
            continue
        _write_dataset(dataset, num_classes, 'train' if split == 'train' else 'val')
    head = cfg.model.get('cls_head') or {}
    for key in ('text_bank', 'zero_shot_bank'):
        if head.get(key):
            names = cfg.get('class_names')
            if key == 'zero_shot_bank' or (head.get('zero_shot_bank') and key == 'text_bank'):
                names = osp.join(osp.dirname(head[key]), 'seen_classes.txt' if key == 'text_bank'
                                 else 'unseen_classes.txt')
            elif 'motion_demo' in head[key]:
                names = osp.join(osp.dirname(head[key]), 'classes.txt')
            if 'motion_demo_online' in head[key] and not osp.isfile(names):
                _write_demo_class_names(names)
            _write_text_bank(head[key], num_classes, names, root, head.get('num_prompts', 16))
    for path, kind in _named_files(cfg).items():
        if osp.isfile(path):
            continue
        upstream = upstream_config(path)
        if upstream is not None:
            run_upstream(upstream, path)
            if not osp.isfile(path):
                raise FileNotFoundError(f'{path} is not written by {upstream}, which the config says writes it')
        else:
            _write_backbone_weights(cfg, path, kind)
    for feature_dir in _feature_dirs(cfg):
        if not osp.isfile(osp.join(feature_dir, 'index.json')):
            run_upstream(feature_producer(feature_dir), feature_dir)
