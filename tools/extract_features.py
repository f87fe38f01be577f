"""Dense per-frame features of a trained model over a dataset: FocusVideo's offline reconstruction targets.

    python tools/extract_features.py CONFIG CHECKPOINT|none OUT_DIR [--split train|val|test] [--frame-interval N|auto]
                                     [--cfg-options k=v ...]

Writes OUT_DIR/features.npy (``(total frames, D)`` float16, memory-mapped) and OUT_DIR/index.json (each video's
row offset and frame count). Every frame of every video of the split's dataset is decoded with the config's
validation pipeline (one centre view; its SampleFrames replaced by all frames) and passed through the backbone in
windows of ``backbone.num_frames`` frames spaced as the model was trained (``--frame-interval``, by default the
training sampler's: ``SampleFrames.frame_interval``, or for ``UniformSample`` each video's segment length): the
frames ``r, r + s, r + 2s, ...`` of each residue ``r`` of the interval ``s`` form one sequence, cut into windows
(the last one ends at the sequence's end), so every frame is seen once, among neighbours ``s`` frames apart. A
frame's feature is the backbone's per-frame output (``CLIPViT`` / ``FocusVideoCLIP``: the class token after
ln_post). The interval is stored in index.json.
Interrupted runs resume: videos already written are skipped. Read the store with ``LoadFrameFeatureTargets``.
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import add_common_arguments, build_model, load_config, parse_tool_args, run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Extract dense per-frame features (mmaction-ext)')
    parser.add_argument('config', help='config of the trained model')
    parser.add_argument('checkpoint', help="its checkpoint, or 'none' for the model as initialised (init_weights: "
                        'e.g. a CLIP backbone with its pretrained file)')
    parser.add_argument('out_dir', help='feature store folder (created; resumed when it exists)')
    parser.add_argument('--split', default='train', choices=('train', 'val', 'test'),
                        help='whose dataloader lists the videos (default: train)')
    parser.add_argument('--frame-interval', default='auto',
                        help="frames between a window's neighbours: a number, or 'auto' (default): the config's "
                        'training sampler (SampleFrames.frame_interval; UniformSample: each video\'s segment length)')
    return parse_tool_args(add_common_arguments(parser), argv)


def _write_index(out_dir, index):
    tmp = osp.join(out_dir, 'index.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(index, f)
    os.replace(tmp, osp.join(out_dir, 'index.json'))


def _extraction_pipeline(cfg):
    steps = []
    for step in copy.deepcopy(cfg.val_dataloader.dataset.pipeline):
        if step['type'] in ('SampleFrames', 'UniformSample', 'DenseSampleFrames'):
            step = dict(type='SampleAllFrames')
        steps.append(step)
    return steps


def training_interval(cfg):
    """``('fixed', s)`` from the training pipeline's ``SampleFrames``, ``('uniform', T)`` for ``UniformSample``."""
    for step in cfg.train_dataloader.dataset.pipeline:
        if step['type'] in ('SampleFrames', 'DenseSampleFrames'):
            return 'fixed', int(step.get('frame_interval', 1))
        if step['type'] == 'UniformSample':
            return 'uniform', int(step['clip_len'])
    raise ValueError('extract_features: the training pipeline has no SampleFrames / UniformSample to take the frame '
                     'interval from; give --frame-interval N')


def frame_interval_of(rule, count: int) -> int:
    """The interval for a video of ``count`` frames under ``rule`` (see :func:`training_interval`)."""
    kind, value = rule
    return value if kind == 'fixed' else max(1, count // value)


def strided_windows(count: int, window: int, interval: int):
    """Windows of frame indices (each a list of ``window`` frames, ``interval`` apart, or the whole sequence when
    it is shorter) covering ``0 .. count - 1``, each frame in exactly one window's output: ``(indices, keep)`` where
    ``keep`` is how many of the window's trailing frames are new."""
    for residue in range(min(interval, count)):
        sequence = list(range(residue, count, interval))
        starts = list(range(0, max(len(sequence) - window, 0) + 1, window))
        if starts[-1] + window < len(sequence):
            starts.append(len(sequence) - window)
        done = 0
        for start in starts:
            indices = sequence[start:start + window]
            stop = start + len(indices)
            yield indices, stop - max(done, start)
            done = stop


def main(argv=None):
    args = parse_args(argv)
    import numpy as np
    import torch
    from mmaction.registry import DATASETS
    from mmengine.dataset import Compose
    from tqdm import tqdm

    from mmaction_ext.datasets.transforms import VideoInit
    from mmaction_ext.datasets.transforms.frame_features import FEATURES_FILE, INDEX_FILE

    cfg = load_config(args.config, args.cfg_options, args.work_dir, args.launcher)
    if args.frame_interval == 'auto':
        rule = training_interval(cfg)
    elif args.frame_interval.isdigit() and int(args.frame_interval) > 0:
        rule = ('fixed', int(args.frame_interval))
    else:
        raise ValueError(f"--frame-interval must be a positive number or 'auto', got {args.frame_interval!r}")
    model = build_model(cfg, args.checkpoint)
    backbone = model.backbone
    window = getattr(backbone, 'num_frames', None)
    dim = getattr(backbone, 'embed_dims', None)
    if window is None or dim is None:
        raise ValueError(f'{type(backbone).__name__} has no num_frames / embed_dims: extract_features needs a '
                         'backbone with per-frame outputs (CLIPViT, FocusVideoCLIP)')

    dataset_cfg = copy.deepcopy(cfg[f'{args.split}_dataloader'].dataset)
    dataset_cfg.pipeline = []
    dataset = DATASETS.build(dataset_cfg)
    prefix = dataset.data_prefix.get('video', '') or ''
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    keys = [osp.relpath(info['filename'], prefix) if prefix else info['filename'] for info in infos]
    keys = [key.replace(os.sep, '/') for key in keys]
    unique = dict(zip(keys, range(len(infos))))  # a video listed twice is extracted once
    # A dataset that draws its clips (the online motion demo, MotionDemoDataset) hands them over with its
    # ``render``; its pipelines decode them with ArrayDecode. Epoch 0 is read: what the generator's files hold.
    render = getattr(dataset, 'render', None)

    def sample(i):
        return render(i) if render is not None else copy.deepcopy(infos[i])

    os.makedirs(args.out_dir, exist_ok=True)
    index_path, features_path = osp.join(args.out_dir, INDEX_FILE), osp.join(args.out_dir, FEATURES_FILE)
    index = None
    if osp.isfile(index_path) and osp.isfile(features_path):
        with open(index_path) as f:
            index = json.load(f)
        if index.get('dim') != dim or set(index['videos']) != set(unique) or index.get('frame_interval') != list(rule):
            raise ValueError(f'{args.out_dir} holds features of another model, dataset or frame interval (dim '
                             f'{index.get("dim")}, {len(index["videos"])} videos, interval {index.get("frame_interval")};'
                             f' here dim {dim}, {len(unique)} videos, interval {list(rule)}): use a new folder')
        print(f'resuming: {sum(v[2] for v in index["videos"].values())} of {len(unique)} videos already written')
    if index is None:
        opener, videos, offset = VideoInit(), {}, 0
        for key, i in tqdm(unique.items(), desc='counting frames', unit='video'):
            count = int(sample(i)['total_frames'] if render is not None else
                        opener(dict(filename=infos[i]['filename']))['total_frames'])
            videos[key] = [offset, count, False]
            offset += count
        index = dict(dim=dim, window=window, frame_interval=list(rule), config=osp.abspath(args.config),
                     checkpoint=osp.abspath(args.checkpoint), videos=videos)
        np.lib.format.open_memmap(features_path, mode='w+', dtype=np.float16, shape=(max(offset, 1), dim)).flush()
        _write_index(args.out_dir, index)
    features = np.load(features_path, mmap_mode='r+')
    pipeline = Compose(_extraction_pipeline(cfg))
    todo = [key for key, entry in index['videos'].items() if not entry[2]]
    with torch.no_grad():
        for key in tqdm(todo, desc='extracting', unit='video'):
            info = sample(unique[key])
            info.setdefault('start_index', dataset_cfg.get('start_index', 0))
            info['modality'] = info.get('modality', 'RGB')
            packed = model.data_preprocessor(dict(inputs=[pipeline(info)['inputs']], data_samples=None), False)
            clip = packed['inputs'].reshape((-1, ) + packed['inputs'].shape[-4:])[:1]  # (1, C, F, H, W)
            offset, count, _ = index['videos'][key]
            if clip.shape[2] != count:
                raise ValueError(f'{info["filename"]}: decoded {clip.shape[2]} frames, counted {count}')
            rows = np.zeros((count, dim), dtype=np.float32)
            for indices, keep in strided_windows(count, window, frame_interval_of(rule, count)):
                frames = clip[:, :, indices]
                if len(indices) < window:  # a short sequence: pad with its last frame
                    frames = torch.cat([frames, frames[:, :, -1:].expand(-1, -1, window - len(indices), -1, -1)], 2)
                frame_features = backbone(frames)[1][0][:len(indices)]  # (T, D)
                rows[indices[len(indices) - keep:]] = frame_features[len(indices) - keep:].float().numpy()
            features[offset:offset + count] = rows.astype(np.float16)
            features.flush()
            index['videos'][key][2] = True
            _write_index(args.out_dir, index)
    print(f'features of {len(unique)} videos ({sum(v[1] for v in index["videos"].values())} frames, dim {dim}) '
          f'in {args.out_dir}')
    return args.out_dir


if __name__ == '__main__':
    run_tool(main)
