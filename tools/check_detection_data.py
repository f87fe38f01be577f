"""Check a tube-detection dataset as a config reads it, before any training.

    python tools/check_detection_data.py CONFIG [--subset train test] [--no-decode] [--show 20]
                                         [--cfg-options k=v ...]

Reads each subset's dataloader dataset as configured and reports, for ACT-format tube datasets
(``ActionTubeDataset``, ``JHMDBTubeDataset``, ``UCF24TubeDataset``): class indices against the label map and the
model's ``num_classes``, boxes outside the frame or with zero area, the annotated resolution against the decoded
frames, videos and frames referenced but missing, tubes with gaps, the share of frames without actors; for
MMAction2's ``AVADataset``: malformed rows, class ids against ``num_classes``, the label file and
``custom_classes``, boxes not normalised or with zero area, keyframes outside the timestamps or without
proposals, frames the keyframe clips read that are missing, people with gaps between keyframes. Each finding
names the video and frame. Exits 1 when there is an error (warnings alone exit 0).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import load_config, parse_tool_args, run_tool  # noqa: E402

TUBE_DATASETS = ('ActionTubeDataset', 'JHMDBTubeDataset', 'UCF24TubeDataset')
AVA_DATASETS = ('AVADataset', )
DATALOADERS = dict(train='train_dataloader', val='val_dataloader', test='test_dataloader')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Check a tube-detection dataset before training')
    parser.add_argument('config')
    parser.add_argument('--subset', nargs='+', choices=sorted(DATALOADERS), default=['train', 'test'],
                        help='which dataloaders\' datasets to check')
    parser.add_argument('--no-decode', action='store_true', help='do not open the videos (annotation checks only)')
    parser.add_argument('--show', type=int, default=20, help='findings printed per check (all are counted)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def model_num_classes(model_cfg):
    """``num_classes`` of a detector config (on the model or its head), or None."""
    for part in (model_cfg, model_cfg.get('cls_head') or {}, model_cfg.get('bbox_head') or {}):
        if part.get('num_classes') is not None:
            return int(part['num_classes'])
    return None


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.datasets.detection_data_check import (check_act_dataset, check_ava_dataset, print_findings,
                                                             summary)
    cfg = load_config(args.config, args.cfg_options)
    num_classes = model_num_classes(cfg.model)
    reports, seen = {}, set()
    for subset in args.subset:
        loader = cfg.get(DATALOADERS[subset])
        if not loader:
            raise ValueError(f'{args.config}: no {DATALOADERS[subset]} to check')
        dataset = loader['dataset']
        if dataset.get('type') not in TUBE_DATASETS + AVA_DATASETS:
            raise ValueError(f'{args.config}: {DATALOADERS[subset]}.dataset is a {dataset.get("type")}; this tool '
                             f'checks {", ".join(TUBE_DATASETS + AVA_DATASETS)}')
        ava = dataset['type'] in AVA_DATASETS
        key = (dataset['ann_file'], dataset.get('split', 1), dataset.get('subset') or
               ('test' if dataset.get('test_mode') else 'train'))
        if key in seen:  # val and test usually read the same videos
            continue
        seen.add(key)
        if ava:
            print(f'== {subset}: {dataset["ann_file"]} (AVA keyframes)')
            sampler = next((step for step in dataset.get('pipeline', []) if step['type'] == 'SampleAVAFrames'), None)
            report = check_ava_dataset(dataset, sampler, decode=not args.no_decode, progress=True)
        else:
            print(f'== {subset}: {dataset["ann_file"]} (split {key[1]}, {key[2]} videos)')
            report = check_act_dataset(dataset, num_classes, decode=not args.no_decode, progress=True)
        print_findings(report, args.show)
        counts = summary(report)
        print(f'{subset}: {counts["videos"]} videos, {counts["frames"]} {"keyframes" if ava else "frames"}, '
              f'{100 * counts["frames_without_actors"]:.1f}% of them without actors; '
              f'{counts["errors"]} error(s), {counts["warnings"]} warning(s)')
        reports[subset] = report
    if any(report.errors for report in reports.values()):
        print('errors found: fix them before training (a model trained on this data evaluates wrongly)')
        sys.exit(1)
    print('no errors')
    return reports


if __name__ == '__main__':
    run_tool(main)
