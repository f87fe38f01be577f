"""VideoInit / VideoDecode on real videos from the shared data, and on broken files."""
import os.path as osp
import warnings

import av
import numpy as np
import pytest

from mmaction_ext.datasets.synthetic import write_video
from mmaction_ext.datasets.transforms import (VideoBackendFallbackWarning, VideoDecode, VideoDecodeError,
                                              VideoInit, open_video)
from mmaction_ext.datasets.transforms import video_reader


def _load(filename, frame_inds, backends=('decord', 'pyav')):
    results = VideoInit(backends=backends)(dict(filename=filename))
    results['frame_inds'] = np.asarray(frame_inds)
    return VideoDecode()(results)


def _ucf_clip(shared_data, name):
    return osp.join(shared_data, 'yowov2_ucf_jhmdb', 'ucf24_demo', name)


def test_decord_reads_mmaction_test_video(shared_data):
    path = osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'test.mp4')
    with warnings.catch_warnings():
        warnings.simplefilter('error', VideoBackendFallbackWarning)
        results = _load(path, [0, 100, 299])
    assert results['total_frames'] == 300
    assert results['avg_fps'] == pytest.approx(30.0)
    assert len(results['imgs']) == 3
    assert results['imgs'][0].shape == (256, 340, 3) and results['imgs'][0].dtype == np.uint8
    assert results['img_shape'] == results['original_shape'] == (256, 340)
    assert 'video_reader' not in results


def test_decord_and_pyav_decode_the_same_frames(shared_data):
    path = osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'test.mp4')
    inds = [0, 1, 57, 150, 299]
    by_decord = np.stack(_load(path, inds, backends=('decord', ))['imgs']).astype(np.int16)
    by_pyav = np.stack(_load(path, inds, backends=('pyav', ))['imgs']).astype(np.int16)
    # Same decoder (FFmpeg) underneath; only the YUV->RGB conversion may round differently.
    assert np.abs(by_decord - by_pyav).mean() < 2.0
    # And the frames are really the requested ones, not a constant.
    assert np.abs(by_decord[0] - by_decord[3]).mean() > 5.0


@pytest.mark.parametrize('name, num_frames', [('v_Basketball_g01_c02.mp4', 180), ('v_Basketball_g07_c04.mp4', 101)])
def test_ucf_clips_fall_back_to_pyav(shared_data, name, num_frames):
    path = _ucf_clip(shared_data, name)
    with pytest.warns(VideoBackendFallbackWarning, match=name):
        results = _load(path, [0, num_frames // 2, num_frames - 1])
    assert results['total_frames'] == num_frames
    assert results['avg_fps'] == pytest.approx(25.0)
    assert np.stack(results['imgs']).shape == (3, 256, 340, 3)


def test_decord_only_names_the_file_it_cannot_read(shared_data):
    path = _ucf_clip(shared_data, 'v_Basketball_g01_c02.mp4')
    with pytest.raises(VideoDecodeError, match='v_Basketball_g01_c02.mp4'):
        open_video(path, backends=('decord', ))


def test_missing_video_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.mp4'):
        VideoInit()(dict(filename=str(tmp_path / 'missing.mp4')))


def test_empty_file_names_the_file(tmp_path):
    path = tmp_path / 'empty.mp4'
    path.write_bytes(b'')
    with pytest.raises(VideoDecodeError, match='empty.mp4'):
        VideoInit()(dict(filename=str(path)))


def test_truncated_video_names_the_file(shared_data, tmp_path):
    data = open(osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'test.mp4'), 'rb').read()
    path = tmp_path / 'truncated.mp4'
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(VideoDecodeError, match='truncated.mp4'):
        VideoInit()(dict(filename=str(path)))


@pytest.mark.parametrize('backends', [None, ('decord', 'pyav')], ids=['default', 'decord-pyav'])
def test_truncated_faststart_video_names_the_file(tmp_path, backends):
    """Index at the front: torchcodec and decord open it, frames past the cut are gone."""
    frames = np.random.default_rng(0).integers(0, 256, (60, 64, 64, 3), dtype=np.uint8)
    full = str(tmp_path / 'full.mp4')
    with av.open(full, 'w', options={'movflags': 'faststart'}) as container:
        stream = container.add_stream('libx264', rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = 'yuv420p'
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
        container.mux(stream.encode())
    data = open(full, 'rb').read()
    assert data.find(b'moov') < data.find(b'mdat'), 'expected the index before the media data'
    path = tmp_path / 'cut.mp4'
    path.write_bytes(data[:len(data) // 3])
    with pytest.raises(VideoDecodeError, match='cut.mp4'), warnings.catch_warnings():
        warnings.simplefilter('ignore', VideoBackendFallbackWarning)
        _load(str(path), [0, 30, 59], backends)


def test_zero_frame_video_names_the_file(tmp_path):
    path = str(tmp_path / 'zero.mp4')
    with av.open(path, 'w') as container:
        stream = container.add_stream('libx264', rate=10)
        stream.width = stream.height = 64
        stream.pix_fmt = 'yuv420p'
        container.start_encoding()  # header and trailer, no frame
    assert osp.getsize(path) > 0
    with pytest.raises(VideoDecodeError, match='zero.mp4'):
        VideoInit()(dict(filename=path))


def test_frame_indices_wrap_like_decord_init(tmp_path):
    frames = np.zeros((10, 32, 32, 3), np.uint8)
    frames[:, :, :, 0] = (np.arange(10) * 25)[:, None, None]
    path = str(tmp_path / 'ramp.mp4')
    write_video(path, frames, fps=5)
    imgs = np.stack(_load(path, [2, 12])['imgs'])
    assert abs(int(imgs[0, 16, 16, 0]) - int(imgs[1, 16, 16, 0])) <= 3  # index 12 wraps to 2
    assert abs(int(imgs[0, 16, 16, 0]) - 50) <= 6


def test_unknown_backend_is_rejected(tmp_path):
    with pytest.raises(ValueError, match='opencv'):
        open_video(str(tmp_path / 'x.mp4'), backends=('opencv', ))


def test_default_backends_start_with_torchcodec():
    """The installed stack has every backend (tools/install.sh); torchcodec is first (docs/install.md)."""
    assert video_reader.default_backends() == ('torchcodec', 'decord', 'pyav')
    assert VideoInit().backends == ('torchcodec', 'decord', 'pyav')


@pytest.mark.parametrize('name, num_frames', [('v_Basketball_g01_c02.mp4', 180), ('v_Basketball_g07_c04.mp4', 101)])
def test_torchcodec_reads_the_ucf_clips_decord_refuses(shared_data, name, num_frames):
    path = _ucf_clip(shared_data, name)
    inds = [0, num_frames // 2, num_frames - 1]
    with warnings.catch_warnings():
        warnings.simplefilter('error', VideoBackendFallbackWarning)
        results = _load(path, inds, backends=None)
    assert type(open_video(path)).__name__ == 'TorchCodecReader'
    assert results['total_frames'] == num_frames  # what PyAV counts by decoding, too
    by_torchcodec = np.stack(results['imgs']).astype(np.int16)
    by_pyav = np.stack(_load(path, inds, backends=('pyav', ))['imgs']).astype(np.int16)
    assert by_torchcodec.shape == (3, 256, 340, 3)
    assert np.abs(by_torchcodec - by_pyav).mean() < 2.0  # the same FFmpeg frames, converted to RGB
    assert np.abs(by_torchcodec[0] - by_torchcodec[1]).mean() > 5.0


def test_torchcodec_and_decord_decode_the_same_frames(shared_data):
    path = osp.join(shared_data, 'mmaction2_testdata', 'tests', 'data', 'test.mp4')
    inds = [0, 1, 150, 299]
    by_torchcodec = np.stack(_load(path, inds, backends=('torchcodec', ))['imgs']).astype(np.int16)
    by_decord = np.stack(_load(path, inds, backends=('decord', ))['imgs']).astype(np.int16)
    assert np.abs(by_torchcodec - by_decord).mean() < 2.0
    assert _load(path, inds, backends=('torchcodec', ))['total_frames'] == 300


def test_an_unloadable_default_backend_is_left_out_with_a_warning(monkeypatch):
    def unavailable(name):
        return 'RuntimeError: Could not load libtorchcodec' if name == 'torchcodec' else None

    monkeypatch.setattr(video_reader, 'backend_unavailable', unavailable)
    video_reader._warn_missing_defaults.cache_clear()
    with pytest.warns(VideoBackendFallbackWarning, match='torchcodec is unavailable .*libtorchcodec.*decord, pyav'):
        assert video_reader.default_backends() == ('decord', 'pyav')


def test_torchcodec_without_ffmpeg_is_reported_unavailable(monkeypatch):
    """torchcodec imports without FFmpeg (it fails at the first decoder), leaving ffmpeg_major_version unset."""
    import torchcodec
    monkeypatch.setattr(torchcodec, 'ffmpeg_major_version', None)
    video_reader.backend_unavailable.cache_clear()
    try:
        assert 'no FFmpeg 4-9 libraries' in video_reader.backend_unavailable('torchcodec')
        assert video_reader.backend_unavailable('decord') is None
    finally:
        video_reader.backend_unavailable.cache_clear()
