"""Dense per-frame features of a trained model over a dataset: FocusVideo's offline reconstruction targets.

    python tools/extract_features.py CONFIG CHECKPOINT|none OUT_DIR [--split train|val|test] [--cfg-options k=v ...]

Writes OUT_DIR/features.npy (``(total frames, D)`` float16, memory-mapped) and OUT_DIR/index.json (each video's
row offset and frame count). Every frame of every video of the split's dataset is decoded with the config's
validation pipeline (one centre view; its SampleFrames replaced by all frames) and passed through the backbone in
consecutive windows of ``backbone.num_frames`` frames (the last window ends at the last frame); a frame's
feature is the backbone's per-frame output (``CLIPViT`` / ``FocusVideoCLIP``: the class token after ln_post).
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
    unique = dict(zip(keys, infos))  # a video listed twice is extracted once

    os.makedirs(args.out_dir, exist_ok=True)
    index_path, features_path = osp.join(args.out_dir, INDEX_FILE), osp.join(args.out_dir, FEATURES_FILE)
    index = None
    if osp.isfile(index_path) and osp.isfile(features_path):
        with open(index_path) as f:
            index = json.load(f)
        if index.get('dim') != dim or set(index['videos']) != set(unique):
            raise ValueError(f'{args.out_dir} holds features of another model or dataset (dim {index.get("dim")}, '
                             f'{len(index["videos"])} videos; here dim {dim}, {len(unique)} videos): use a new folder')
        print(f'resuming: {sum(v[2] for v in index["videos"].values())} of {len(unique)} videos already written')
    if index is None:
        opener, videos, offset = VideoInit(), {}, 0
        for key, info in tqdm(unique.items(), desc='counting frames', unit='video'):
            count = int(opener(dict(filename=info['filename']))['total_frames'])
            videos[key] = [offset, count, False]
            offset += count
        index = dict(dim=dim, window=window, config=osp.abspath(args.config),
                     checkpoint=osp.abspath(args.checkpoint), videos=videos)
        np.lib.format.open_memmap(features_path, mode='w+', dtype=np.float16, shape=(max(offset, 1), dim)).flush()
        _write_index(args.out_dir, index)
    features = np.load(features_path, mmap_mode='r+')
    pipeline = Compose(_extraction_pipeline(cfg))
    todo = [key for key, entry in index['videos'].items() if not entry[2]]
    with torch.no_grad():
        for key in tqdm(todo, desc='extracting', unit='video'):
            info = copy.deepcopy(unique[key])
            info.setdefault('start_index', dataset_cfg.get('start_index', 0))
            info['modality'] = info.get('modality', 'RGB')
            packed = model.data_preprocessor(dict(inputs=[pipeline(info)['inputs']], data_samples=None), False)
            clip = packed['inputs'].reshape((-1, ) + packed['inputs'].shape[-4:])[:1]  # (1, C, F, H, W)
            offset, count, _ = index['videos'][key]
            if clip.shape[2] != count:
                raise ValueError(f'{info["filename"]}: decoded {clip.shape[2]} frames, counted {count}')
            if count < window:  # pad short videos with their last frame
                clip = torch.cat([clip, clip[:, :, -1:].expand(-1, -1, window - count, -1, -1)], dim=2)
            rows = np.zeros((count, dim), dtype=np.float32)
            starts = list(range(0, max(count - window, 0) + 1, window))
            if starts[-1] + window < count:
                starts.append(count - window)
            for start in starts:
                frame_features = backbone(clip[:, :, start:start + window])[1][0]  # (T, D)
                stop = min(start + window, count)
                rows[start:stop] = frame_features[:stop - start].float().numpy()
            features[offset:offset + count] = rows.astype(np.float16)
            features.flush()
            index['videos'][key][2] = True
            _write_index(args.out_dir, index)
    print(f'features of {len(unique)} videos ({sum(v[1] for v in index["videos"].values())} frames, dim {dim}) '
          f'in {args.out_dir}')
    return args.out_dir


if __name__ == '__main__':
    run_tool(main)
