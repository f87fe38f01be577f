"""The detection-data checker finds every defect planted in copies of the demo detection data, named with the
video and frame; tools/check_detection_data.py exits 1 on errors and 0 on clean data."""
import os
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from helpers import REPO_ROOT, load_tool
from mmaction_ext.datasets.detection_data_check import check_act_dataset
from mmaction_ext.fileio import load_pickle_safely

CSA_TINY = osp.join(REPO_ROOT, 'configs', 'csa', 'csa_r18-tiny_scratch_1xb2-12e_8x1x1_motion-demo-tube.py')


def broken_copy(root, tmp_path, change):
    """The demo's annotation after ``change(annos)``, written beside links to its videos: a dataset config."""
    annos = load_pickle_safely(osp.join(root, 'motion_demo-GT.pkl'))
    change(annos)
    videos = tmp_path / 'videos'
    videos.mkdir(exist_ok=True)
    for name in os.listdir(osp.join(root, 'videos')):
        if not (videos / name).exists():
            os.symlink(osp.join(root, 'videos', name), videos / name)
    ann_file = str(tmp_path / 'GT.pkl')
    with open(ann_file, 'wb') as stream:
        pickle.dump(annos, stream)
    return dict(type='ActionTubeDataset', ann_file=ann_file, data_prefix=dict(video=str(videos)), subset='test')


def first_tube(annos, video='val_0001'):
    label = sorted(annos['gttubes'][video])[0]
    return label, annos['gttubes'][video][label][0]


def findings(report, check):
    return [(f.level, f.video, f.frame, f.message) for f in report.findings if f.check == check]


def test_clean_demo_data_has_no_finding(tiny_detection_demo):
    report = check_act_dataset(dict(ann_file=osp.join(tiny_detection_demo, 'motion_demo-GT.pkl'),
                                    data_prefix=dict(video=osp.join(tiny_detection_demo, 'videos')), subset='test'),
                               num_classes=12)
    assert report.findings == [] and report.videos == 3 and report.frames == 96
    assert 0 < report.frames_with_actors < 96


def test_class_index_defects(tiny_detection_demo, tmp_path):
    def background_offset(annos):  # one tube labelled one past the label map (a background slot at 0?)
        label, tube = first_tube(annos)
        annos['gttubes']['val_0001'].setdefault(12, []).append(tube)

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, background_offset), num_classes=13)
    errors = findings(report, 'classes')
    assert ('error', 'val_0001', None, "class index 12 outside the label map's 0-11 (12 classes)") in errors
    assert any('num_classes=13, the label map 12 classes (one more: a background class?' in e[3] for e in errors)

    def one_based(annos):
        for video, tubes in annos['gttubes'].items():
            annos['gttubes'][video] = {label + 1: tube for label, tube in tubes.items()}
        first = next(iter(annos['gttubes']))
        annos['gttubes'][first][12] = annos['gttubes'][first].pop(min(annos['gttubes'][first]))

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, one_based), num_classes=12, decode=False)
    assert any('1-based (off by one)' in e[3] for e in findings(report, 'classes'))


def test_box_defects_named_with_video_and_frame(tiny_detection_demo, tmp_path):
    def boxes(annos):
        _, tube = first_tube(annos)
        tube[2, 3] = 96 + 20  # x2 past the 96 px wide frame
        tube[4, 3] = tube[4, 1]  # x2 == x1: zero width

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, boxes), decode=False)
    _, tube = first_tube(load_pickle_safely(report and osp.join(tmp_path, 'GT.pkl')))
    found = findings(report, 'boxes')
    assert len(found) == 2
    assert found[0][:3] == ('error', 'val_0001', int(tube[2, 0])) and 'outside the 96x72 frame' in found[0][3]
    assert found[1][:3] == ('error', 'val_0001', int(tube[4, 0])) and 'zero or negative area' in found[1][3]


def test_resolution_missing_video_and_missing_frames(tiny_detection_demo, tmp_path):
    def media(annos):
        annos['resolution']['val_0000'] = (144, 192)  # annotated at twice the decoded size
        annos['nframes']['val_0001'] = 40  # the video has 32
        annos['test_videos'][0].append('val_0099')
        annos['nframes']['val_0099'], annos['resolution']['val_0099'] = 32, (72, 96)

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, media))
    assert [f[:2] for f in findings(report, 'resolution')] == [('error', 'val_0000')]
    assert 'annotated resolution 192x144 (w x h), decoded frames 96x72' in findings(report, 'resolution')[0][3]
    media_errors = findings(report, 'media')
    assert ('error', 'val_0001', 33) == media_errors[0][:3] and 'frames 33-40 are referenced but missing' in \
        media_errors[0][3]
    assert media_errors[1][:2] == ('error', 'val_0099') and media_errors[1][3].endswith('val_0099.mp4 not found')
    assert report.frames_with_actors < report.frames


def test_missing_frames_of_a_frame_folder(detection_demo_frames, tmp_path):
    frames = tmp_path / 'rawframes'
    shutil.copytree(osp.join(detection_demo_frames, 'rawframes', 'val_0000'), frames / 'val_0000')
    os.remove(frames / 'val_0000' / 'img_00020.jpg')
    annos = load_pickle_safely(osp.join(detection_demo_frames, 'motion_demo-GT.pkl'))
    annos['test_videos'] = [['val_0000']]
    with open(tmp_path / 'GT.pkl', 'wb') as stream:
        pickle.dump(annos, stream)
    report = check_act_dataset(dict(ann_file=str(tmp_path / 'GT.pkl'), data_prefix=dict(img=str(frames)),
                                    subset='test', filename_tmpl='img_{:05d}.jpg'))
    (error, ) = findings(report, 'media')
    assert error[:3] == ('error', 'val_0000', 20) and 'frames 20-24 are referenced but missing' in error[3]


def test_tube_gaps_and_frames_without_actors(tiny_detection_demo, tmp_path):
    def gap(annos):
        label, tube = first_tube(annos)
        annos['gttubes']['val_0001'][label][0] = np.delete(tube, [3, 4], axis=0)

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, gap), decode=False)
    _, tube = first_tube(load_pickle_safely(osp.join(tiny_detection_demo, 'motion_demo-GT.pkl')))
    (warning, ) = findings(report, 'tubes')
    first_missing = int(tube[3, 0])
    assert warning[:3] == ('warning', 'val_0001', first_missing)
    assert f'gap: frames {first_missing}-{first_missing + 1} unannotated' in warning[3]
    assert report.errors == []

    def no_actors(annos):
        annos['gttubes'] = {video: {} for video in annos['gttubes']}

    report = check_act_dataset(broken_copy(tiny_detection_demo, tmp_path, no_actors), decode=False)
    assert ('error', None, None, 'no frame of the test split has an actor: nothing to train or evaluate') in \
        findings(report, 'actors')
    assert len(findings(report, 'actors')) == 4  # and a warning per video


def test_tool_exit_status_and_report(tiny_detection_demo, tmp_path, capsys):
    tool = load_tool('tools/check_detection_data.py')

    def options(ann_file, videos):
        return ['--cfg-options', *(f'{loader}.dataset.{key}={value}' for loader in ('train_dataloader', 'test_dataloader')
                                   for key, value in (('ann_file', ann_file), ('data_prefix.video', videos)))]

    root = tiny_detection_demo
    reports = tool.main([CSA_TINY, *options(f'{root}/motion_demo-GT.pkl', f'{root}/videos')])
    assert set(reports) == {'train', 'test'} and 'no errors' in capsys.readouterr().out

    def zero_area(annos):
        first_tube(annos)[1][0, 4] = first_tube(annos)[1][0, 2]

    dataset = broken_copy(root, tmp_path, zero_area)
    with pytest.raises(SystemExit) as exit_status:
        tool.main([CSA_TINY, '--subset', 'test', *options(dataset['ann_file'], dataset['data_prefix']['video'])])
    assert exit_status.value.code == 1
    out = capsys.readouterr().out
    assert 'ERROR [boxes] video val_0001 frame' in out and '1 error(s)' in out and 'errors found' in out
    with pytest.raises(ValueError, match='is a VideoDataset; this tool checks ActionTubeDataset, .*, AVADataset'):
        tool.main([osp.join(REPO_ROOT, 'configs', 'demo', 'r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py')])


def test_real_ucf24_clip_reports_its_resolution(ucf24_act, shared_data, tmp_path):
    """The real UCF101-24 annotation against the real clip: the corrected annotations are 320 x 240, the shared
    copy of v_Basketball_g01_c02 is 340 x 256: a resolution error (boxes must be rescaled), nothing else."""
    path, annos = ucf24_act
    video = 'Basketball/v_Basketball_g01_c02'
    annos = dict(annos, test_videos=[[video]])
    with open(tmp_path / 'GT.pkl', 'wb') as stream:
        pickle.dump(annos, stream)
    (tmp_path / 'videos' / 'Basketball').mkdir(parents=True)
    os.symlink(osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', 'v_Basketball_g01_c02.mp4'),
               str(tmp_path / 'videos' / (video + '.mp4')))
    report = check_act_dataset(dict(ann_file=str(tmp_path / 'GT.pkl'), data_prefix=dict(video=str(tmp_path / 'videos')),
                                    subset='test'), num_classes=24)
    assert [(f.level, f.check, f.video) for f in report.findings] == [('error', 'resolution', video)]
    assert 'annotated resolution 320x240 (w x h), decoded frames 340x256' in report.findings[0].message
    assert report.frames == 180 and 0 < report.frames_with_actors <= 180


def ava_dataset(root, ann_file, **changes):
    """The tiny CSA AVA config's test dataset on the frames demo, as the tool reads it."""
    from helpers.csa import CSA_AVA_CONFIG, csa_demo_options
    from mmaction_ext.engine import load_config
    options = csa_demo_options(root, 'ava')
    cfg = load_config(CSA_AVA_CONFIG, dict(option.split('=', 1) for option in options if 'dataloader' in option))
    dataset = cfg.test_dataloader.dataset.to_dict()
    dataset.update(ann_file=ann_file, **changes)
    sampler = next(step for step in dataset['pipeline'] if step['type'] == 'SampleAVAFrames')
    return dataset, sampler


def test_ava_keyframe_defects(detection_demo_frames, tmp_path):
    """AVA rows as MMAction2's AVADataset reads them: every planted defect found at its video and keyframe (frame
    ``fps * second + start_index``), the clean file without a finding."""
    from mmaction_ext.datasets.detection_data_check import check_ava_dataset
    root = detection_demo_frames
    dataset, sampler = ava_dataset(root, f'{root}/ava_val.csv')
    clean = check_ava_dataset(dataset, sampler)
    assert clean.findings == [] and clean.videos == 2 and clean.frames_with_actors > 0
    rows = open(f'{root}/ava_val.csv').read().splitlines()
    video, second = rows[0].split(',')[:2]
    frame = 8 * int(second) + 1
    planted = rows + [
        f'{video},{second},0.1,0.1,0.3,0.3,0,7',  # the background id as an action
        f'{video},{second},0.1,0.1,0.3,0.3,13,8',  # one past num_classes - 1 = 12
        f'{video},{second},12.0,10.0,40.0,50.0,2,9',  # pixels, not normalised
        f'{video},{second},0.3,0.1,0.3,0.4,2,10',  # zero width
        f'{video},9,0.1,0.1,0.3,0.3,2,11',  # second 9 after timestamp_end 6
        f'{video},{second},0.1,0.1',  # a short row
        f'{video},{second},0.5,0.5,0.7,0.7,2,20', f'{video},{int(second) + 2},0.5,0.5,0.7,0.7,2,20',  # a gap
    ]
    ann_file = tmp_path / 'ava_val.csv'
    ann_file.write_text('\n'.join(planted) + '\n')
    report = check_ava_dataset(ava_dataset(root, str(ann_file))[0], sampler, decode=False)
    found = {(f.check, f.video, f.frame, f.message.split(': ', 1)[-1]) for f in report.findings}
    assert ('classes', video, frame, 'class id 0 outside 1-12 (num_classes=13 counts the background 0)') in found
    assert ('classes', video, frame, 'class id 0 is not in the label file (AVAMetric scores only its classes)') in found
    assert ('classes', video, frame, 'class id 13 outside 1-12 (num_classes=13 counts the background 0)') in found
    assert ('boxes', video, frame, 'box [12.0, 10.0, 40.0, 50.0] is not normalised to [0, 1] (pixels?)') in found
    assert ('boxes', video, frame, 'box [0.3, 0.1, 0.3, 0.4] has zero or negative area') in found
    assert ('frames', video, 8 * 9 + 1, 'second 9 outside timestamp_start..timestamp_end (0-6)') in found
    assert any(f.check == 'format' and f'line {len(rows) + 6}' in f.message for f in report.findings)
    # person 20 at two keyframes a second apart: a warning at the keyframe between them
    assert [(f.check, f.video, f.frame) for f in report.warnings] == [('tubes', video, 8 * (int(second) + 1) + 1)]
    assert len(report.errors) == 8  # label 0 and 13 twice each (range, label file), and one per other defect


def test_ava_missing_frames_and_proposals(detection_demo_frames, tmp_path):
    from mmaction_ext.datasets.detection_data_check import check_ava_dataset
    root = detection_demo_frames
    frames = tmp_path / 'rawframes'
    shutil.copytree(osp.join(root, 'rawframes'), frames)
    os.remove(frames / 'val_0000' / 'img_00010.jpg')  # inside the clip of the keyframe at second 1 (frame 9)
    proposals = load_pickle_safely(osp.join(root, 'ava_proposals_val.pkl'))
    del proposals['val_0001,0002']
    with open(tmp_path / 'proposals.pkl', 'wb') as stream:
        pickle.dump(proposals, stream)
    dataset, sampler = ava_dataset(root, f'{root}/ava_val.csv', data_prefix=dict(img=str(frames)),
                                   proposal_file=str(tmp_path / 'proposals.pkl'))
    report = check_ava_dataset(dataset, sampler)
    assert [(f.check, f.video, f.frame) for f in report.errors] == [('proposals', 'val_0001', 17),
                                                                    ('media', 'val_0000', 10)]
    assert 'the first img_00010.jpg' in report.errors[1].message
    assert 'keyframe val_0001,0002 has no proposals' in report.errors[0].message


def test_tool_checks_the_ava_config(detection_demo_frames, capsys):
    from helpers.csa import CSA_AVA_CONFIG, csa_demo_options
    tool = load_tool('tools/check_detection_data.py')
    options = [o for o in csa_demo_options(detection_demo_frames, 'ava') if 'dataloader.dataset' in o]
    reports = tool.main([CSA_AVA_CONFIG, '--cfg-options', *options])
    out = capsys.readouterr().out
    assert set(reports) == {'train', 'test'} and '(AVA keyframes)' in out and 'no errors' in out
    assert reports['test'].videos == 2 and reports['test'].frames == 2 * 6  # seconds 0-5 of each video
