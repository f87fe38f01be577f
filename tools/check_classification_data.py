"""Check a classification dataset (an MMAction2 video or rawframe list) as a config reads it, before training.

    python tools/check_classification_data.py CONFIG [--subset train val test] [--no-decode] [--show 20]
                                              [--cfg-options k=v ...]

For each subset's dataloader dataset (``VideoDataset``, ``RawframeDataset``, ``RepeatAugVideoDataset``,
``RepeatAugRawframeDataset``): malformed list lines, labels outside the model's ``num_classes``, videos or frame
folders that are missing, videos that do not open or decode, ``filename_tmpl`` matching no frame, folders
holding fewer frames than the list says (errors), videos shorter than the clip the sampler takes (warnings).
Each finding names the list line and the file. Exits 1 when there is an error. Tube-detection and AVA data:
``tools/check_detection_data.py``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import load_config, parse_tool_args, run_tool  # noqa: E402

DATALOADERS = dict(train='train_dataloader', val='val_dataloader', test='test_dataloader')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Check a classification dataset before training')
    parser.add_argument('config')
    parser.add_argument('--subset', nargs='+', choices=sorted(DATALOADERS), default=['train', 'val', 'test'],
                        help="which dataloaders' datasets to check")
    parser.add_argument('--no-decode', action='store_true', help='do not open the videos or list the frame folders')
    parser.add_argument('--show', type=int, default=20, help='findings printed per check (all are counted)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.datasets.classification_data_check import (RAWFRAME_DATASETS, VIDEO_DATASETS,
                                                                 check_classification_dataset)
    from mmaction_ext.datasets.detection_data_check import print_findings
    cfg = load_config(args.config, args.cfg_options)
    head = cfg.model.get('cls_head') or {}
    num_classes = head.get('num_classes')
    reports, seen = {}, {}
    for subset in args.subset:
        loader = cfg.get(DATALOADERS[subset])
        if not loader:
            raise ValueError(f'{args.config}: no {DATALOADERS[subset]} to check')
        dataset = loader['dataset']
        if dataset.get('type') not in VIDEO_DATASETS + RAWFRAME_DATASETS:
            raise ValueError(f'{args.config}: {DATALOADERS[subset]}.dataset is a {dataset.get("type")}; this tool '
                             f'checks {", ".join(VIDEO_DATASETS + RAWFRAME_DATASETS)} '
                             '(tube detection and AVA: tools/check_detection_data.py)')
        key = (dataset['ann_file'], str(dataset.get('data_prefix')))
        if key in seen:  # val and test usually read the same list
            print(f'== {subset}: {dataset["ann_file"]} (as {seen[key]})')
            reports[subset] = reports[seen[key]]
            continue
        seen[key] = subset
        print(f'== {subset}: {dataset["ann_file"]}')
        report = check_classification_dataset(dataset, num_classes, decode=not args.no_decode, progress=True)
        print_findings(report, args.show)
        print(f'{subset}: {report.videos} entries, {report.frames} frames; {len(report.errors)} error(s), '
              f'{len(report.warnings)} warning(s)')
        reports[subset] = report
    if any(report.errors for report in reports.values()):
        print('errors found: fix them before training')
        sys.exit(1)
    print('no errors')
    return reports


if __name__ == '__main__':
    run_tool(main)
