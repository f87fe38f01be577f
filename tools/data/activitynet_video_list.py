"""VideoDataset lists of ActivityNet-1.3 videos (MMAction2 writes rawframe lists only).

    python tools/data/activitynet_video_list.py data/ActivityNet/activity_net.v1-3.min.json \
        data/ActivityNet/action_name.csv data/ActivityNet/videos data/ActivityNet

MMAction2's ``tools/data/activitynet`` downloads ``v_<youtube id>.mp4`` videos and the annotation, and its
``generate_rawframes_filelist.py`` writes ``anet_{train,val}_video.txt`` for *rawframes* (``v_<id> <files> <label>``,
the file count including optical flow), which a ``VideoDataset`` cannot read. This writes
``anet_{train,val}_list_videos.txt`` with lines ``v_<id>.mp4 <label>`` for the videos that exist, the label being
the first annotation's class in ``action_name.csv`` order (after its header), as MMAction2's list. Videos listed in
the annotation but missing are counted and named.
"""
import argparse
import csv
import json
import os
import os.path as osp
import sys


def read_class_order(action_name_csv):
    with open(action_name_csv) as f:
        rows = [row for row in csv.reader(f) if row]
    return {name: index for index, name in enumerate(row[0] for row in rows[1:])}


def video_lists(database, classes, video_dir):
    """``({subset: [(file, label)]}, [missing videos])`` for the training and validation subsets."""
    lists, missing = dict(training=[], validation=[]), []
    for video_id, info in sorted(database.items()):
        subset = info.get('subset')
        if subset not in lists or not info.get('annotations'):
            continue
        label = info['annotations'][0]['label']
        if label not in classes:
            raise ValueError(f'video {video_id}: class {label!r} is not in the class list')
        name = f'v_{video_id}.mp4'
        if not osp.isfile(osp.join(video_dir, name)):
            missing.append(name)
            continue
        lists[subset].append((name, classes[label]))
    return lists, missing


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('annotation', help='activity_net.v1-3.min.json')
    parser.add_argument('action_names', help="action_name.csv (MMAction2's tools/data/activitynet)")
    parser.add_argument('video_dir')
    parser.add_argument('out_dir')
    args = parser.parse_args(argv)
    for path in (args.annotation, args.action_names):
        if not osp.isfile(path):
            sys.exit(f'error: {path} does not exist')
    with open(args.annotation) as f:
        database = json.load(f).get('database')
    if not isinstance(database, dict):
        sys.exit(f'error: {args.annotation} has no "database" entry')
    try:
        lists, missing = video_lists(database, read_class_order(args.action_names), args.video_dir)
    except ValueError as error:
        sys.exit(f'error: {error}')
    os.makedirs(args.out_dir, exist_ok=True)
    for subset, out in (('training', 'anet_train_list_videos.txt'), ('validation', 'anet_val_list_videos.txt')):
        with open(osp.join(args.out_dir, out), 'w') as f:
            f.writelines(f'{name} {label}\n' for name, label in lists[subset])
        print(f'{out}: {len(lists[subset])} videos')
    if missing:
        print(f'{len(missing)} annotated videos are missing from {args.video_dir}, e.g. {", ".join(missing[:5])}')
    return lists, missing


if __name__ == '__main__':
    main()
