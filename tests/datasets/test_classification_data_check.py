"""The classification-data checker on data in MMAction2's layouts with planted defects: every defect named with its
list line and file, clean data without findings, the tool's exit codes."""
import os
import os.path as osp

import pytest

from helpers import load_tool
from mmaction_ext.datasets.classification_data_check import check_classification_dataset, frames_needed
from mmaction_ext.datasets.synthetic.layouts import write_rawframe_dataset, write_video_dataset

PIPELINE = [dict(type='VideoInit'), dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1),
            dict(type='VideoDecode')]


def test_frames_needed():
    assert frames_needed(PIPELINE) == 16
    assert frames_needed([dict(type='UniformSample', clip_len=16)]) == 16
    assert frames_needed([dict(type='RawFrameDecode')]) is None


def test_video_list_defects_are_each_reported(tmp_path):
    root, ann = str(tmp_path / 'videos'), str(tmp_path / 'train_list.txt')
    write_video_dataset(ann, root, [('abseiling/a_000001_000011.mp4', 0), ('b.mp4', 1), ('c.mp4', 2)], num_frames=20,
                        size=(16, 16))
    write_video_dataset(str(tmp_path / 'short.txt'), root, [('short.mp4', 0)], num_frames=6, size=(16, 16))
    with open(osp.join(root, 'broken.mp4'), 'wb') as f:
        f.write(b'not a video')
    with open(ann, 'a') as f:
        f.write('missing.mp4 0\nshort.mp4 0\nbroken.mp4 1\nc.mp4 7\nonly_a_path.mp4\n')
    cfg = dict(type='VideoDataset', ann_file=ann, data_prefix=dict(video=root), pipeline=PIPELINE)
    report = check_classification_dataset(cfg, num_classes=3)
    found = {(f.check, f.video.rsplit(':', 1)[1]) for f in report.findings}
    assert found == {('missing', '4'), ('short', '5'), ('decode', '6'), ('label', '7'), ('malformed line', '8')}
    assert {f.level for f in report.findings if f.check == 'short'} == {'warning'}
    assert any('missing.mp4' in f.message for f in report.errors)
    clean = dict(cfg, ann_file=str(tmp_path / 'clean.txt'))
    write_video_dataset(clean['ann_file'], root, [('b.mp4', 1)], num_frames=20, size=(16, 16))
    assert not check_classification_dataset(clean, num_classes=3).findings


def test_rawframe_list_defects(tmp_path):
    root, ann = str(tmp_path / 'rawframes'), str(tmp_path / 'sthv1_train_list_rawframes.txt')
    write_rawframe_dataset(ann, root, [('100', 3), ('101', 4)], num_frames=10, filename_tmpl='{:05}.jpg',
                           size=(16, 16))
    with open(ann, 'a') as f:
        f.write('101 12 4\n102 10 1\n')  # more frames than the folder holds; a folder that does not exist
    cfg = dict(type='RawframeDataset', ann_file=ann, data_prefix=dict(img=root), filename_tmpl='{:05}.jpg',
               pipeline=[dict(type='UniformSample', clip_len=8)])
    report = check_classification_dataset(cfg, num_classes=174)
    assert sorted((f.check, f.video.rsplit(':', 1)[1]) for f in report.findings) == [('frame count', '3'),
                                                                                      ('missing', '4')]
    # MMAction2's default template img_{:05}.jpg matches none of the released {:05}.jpg frames
    wrong = check_classification_dataset(dict(cfg, filename_tmpl='img_{:05}.jpg'), num_classes=174)
    assert {f.check for f in wrong.errors} >= {'template'}
    assert 'matches no file' in next(f.message for f in wrong.errors if f.check == 'template')


def test_the_tool_exits_1_on_errors(tmp_path, capsys):
    from mmaction_ext.engine import load_config  # noqa: F401  (registers the modules)
    root = str(tmp_path / 'data')
    write_video_dataset(osp.join(root, 'list.txt'), root, [('a.mp4', 0), ('b.mp4', 1)], num_frames=20,
                        size=(16, 16))
    config = tmp_path / 'cfg.py'
    config.write_text(
        "model = dict(type='Recognizer3D', cls_head=dict(num_classes=2))\n"
        f"pipeline = {PIPELINE!r}\n"
        f"train_dataloader = dict(dataset=dict(type='VideoDataset', ann_file='{root}/list.txt', "
        f"data_prefix=dict(video='{root}'), pipeline=pipeline))\n")
    tool = load_tool('tools/check_classification_data.py')
    reports = tool.main([str(config), '--subset', 'train'])
    assert not reports['train'].findings and 'no errors' in capsys.readouterr().out
    os.remove(osp.join(root, 'b.mp4'))
    with pytest.raises(SystemExit) as exit_info:
        tool.main([str(config), '--subset', 'train'])
    assert exit_info.value.code == 1
    assert 'b.mp4 does not exist' in capsys.readouterr().out
