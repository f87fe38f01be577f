"""VideoDataset lists of NTU RGB+D 60 / 120 RGB videos (MMAction2 prepares NTU's skeletons only).

    python tools/data/ntu_rgb_lists.py data/nturgbd_videos data/ntu/annotations

VIDEO_DIR holds the RGB videos as MMAction2's ``tools/data/skeleton/compress_nturgbd.py`` writes them
(``S001C001P001R001A001.mp4``: setup, camera, performer, replication, action). OUT_DIR gets, with lines
``<video> <action - 1>``: ``ntu60_{xsub,xview}_{train,val}.txt`` (actions 1-60, setups 1-17) and
``ntu120_{xsub,xset}_{train,val}.txt``, split by the benchmarks' training performers / cameras / setups (Shahroudy et
al., CVPR 2016; Liu et al., TPAMI 2020; the lists of MMAction2's ``gen_ntu_rgbd_raw.py``).
"""
import argparse
import os
import os.path as osp
import re
import sys

# The benchmarks' training performers (cross-subject), cameras (cross-view) and setups (cross-setup).
TRAIN_SUBJECTS_60 = {1, 2, 4, 5, 8, 9, 13, 14, 15, 16, 17, 18, 19, 25, 27, 28, 31, 34, 35, 38}
TRAIN_SUBJECTS_120 = TRAIN_SUBJECTS_60 | {45, 46, 47, 49, 50, 52, 53, 54, 55, 56, 57, 58, 59, 70, 74, 78, 80, 81, 82,
                                          83, 84, 85, 86, 89, 91, 92, 93, 94, 95, 97, 98, 100, 103}
TRAIN_CAMERAS_60 = {2, 3}
TRAIN_SETUPS_120 = set(range(2, 33, 2))
NAME = re.compile(r'S(\d{3})C(\d{3})P(\d{3})R(\d{3})A(\d{3})(?:_rgb)?\.(?:mp4|avi)$')


def split_lists(names):
    """``{list name: [(video, label), ...]}`` for every benchmark split of the videos ``names``."""
    lists = {f'ntu{n}_{b}_{s}': [] for n, bs in ((60, ('xsub', 'xview')), (120, ('xsub', 'xset')))
             for b in bs for s in ('train', 'val')}
    for name in sorted(names):
        match = NAME.match(name)
        if match is None:
            raise ValueError(f'{name}: not an NTU RGB+D video name (SsssCcccPpppRrrrAaaa.mp4)')
        setup, camera, performer, _, action = map(int, match.groups())
        entry = (name, action - 1)
        if action <= 60 and setup <= 17:
            lists[f'ntu60_xsub_{"train" if performer in TRAIN_SUBJECTS_60 else "val"}'].append(entry)
            lists[f'ntu60_xview_{"train" if camera in TRAIN_CAMERAS_60 else "val"}'].append(entry)
        lists[f'ntu120_xsub_{"train" if performer in TRAIN_SUBJECTS_120 else "val"}'].append(entry)
        lists[f'ntu120_xset_{"train" if setup in TRAIN_SETUPS_120 else "val"}'].append(entry)
    return lists


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('video_dir')
    parser.add_argument('out_dir')
    args = parser.parse_args(argv)
    if not osp.isdir(args.video_dir):
        sys.exit(f'error: {args.video_dir} is not a folder')
    names = [name for name in os.listdir(args.video_dir) if name.endswith(('.mp4', '.avi'))]
    if not names:
        sys.exit(f'error: no .mp4 / .avi videos in {args.video_dir}')
    try:
        lists = split_lists(names)
    except ValueError as error:
        sys.exit(f'error: {error}')
    os.makedirs(args.out_dir, exist_ok=True)
    for list_name, entries in lists.items():
        with open(osp.join(args.out_dir, list_name + '.txt'), 'w') as f:
            f.writelines(f'{video} {label}\n' for video, label in entries)
        print(f'{list_name}.txt: {len(entries)} videos')
    return lists


if __name__ == '__main__':
    main()
