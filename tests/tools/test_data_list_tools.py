"""The list writers for datasets MMAction2 prepares in another form: NTU RGB+D RGB videos (benchmark splits from the
file names) and ActivityNet videos (MMAction2 writes rawframe lists only)."""
import json
import os

import pytest

from helpers import load_tool


def test_ntu_rgb_lists_follow_the_benchmark_splits(tmp_path, capsys):
    videos = tmp_path / 'nturgbd_videos'
    videos.mkdir()
    names = ['S001C001P001R001A001.mp4',  # subject 1 (train), camera 1 (val in cross-view), setup 1 (odd: val)
             'S002C002P003R002A060.mp4',  # subject 3 (val), camera 2 (train), setup 2 (train)
             'S018C003P045R001A061.mp4']  # NTU120 only: setup 18 (even: trains), action 61; subject 45 trains
    for name in names:
        (videos / name).write_bytes(b'')
    lists = load_tool('tools/data/ntu_rgb_lists.py').main([str(videos), str(tmp_path / 'annotations')])
    assert lists['ntu60_xsub_train'] == [(names[0], 0)] and lists['ntu60_xsub_val'] == [(names[1], 59)]
    assert lists['ntu60_xview_train'] == [(names[1], 59)] and lists['ntu60_xview_val'] == [(names[0], 0)]
    assert lists['ntu120_xsub_train'] == [(names[0], 0), (names[2], 60)]
    assert lists['ntu120_xset_train'] == [(names[1], 59), (names[2], 60)]  # even setups train
    assert lists['ntu120_xset_val'] == [(names[0], 0)]
    assert (tmp_path / 'annotations' / 'ntu60_xsub_train.txt').read_text() == f'{names[0]} 0\n'
    (videos / 'clip.mp4').write_bytes(b'')
    with pytest.raises(SystemExit, match='not an NTU RGB'):
        load_tool('tools/data/ntu_rgb_lists.py').main([str(videos), str(tmp_path / 'annotations')])


def test_activitynet_video_lists(tmp_path, capsys):
    (tmp_path / 'videos').mkdir()
    for video_id in ('aaa', 'bbb'):
        (tmp_path / 'videos' / f'v_{video_id}.mp4').write_bytes(b'')
    database = {
        'aaa': dict(subset='training', annotations=[dict(label='Skiing'), dict(label='Surfing')]),
        'bbb': dict(subset='validation', annotations=[dict(label='Surfing')]),
        'ccc': dict(subset='validation', annotations=[dict(label='Skiing')]),  # video missing
        'ddd': dict(subset='testing', annotations=[]),
    }
    (tmp_path / 'anet.json').write_text(json.dumps(dict(database=database)))
    (tmp_path / 'action_name.csv').write_text('action\nSurfing\nSkiing\n')
    lists, missing = load_tool('tools/data/activitynet_video_list.py').main(
        [str(tmp_path / 'anet.json'), str(tmp_path / 'action_name.csv'), str(tmp_path / 'videos'), str(tmp_path)])
    assert lists == dict(training=[('v_aaa.mp4', 1)], validation=[('v_bbb.mp4', 0)]) and missing == ['v_ccc.mp4']
    assert (tmp_path / 'anet_train_list_videos.txt').read_text() == 'v_aaa.mp4 1\n'
    assert 'v_ccc.mp4' in capsys.readouterr().out
