"""Decode + test pipeline throughput on the motion demo: our loaders vs MMAction2's."""
import os.path as osp
import tempfile

from . import Case, Variant, Workload, register_case

CLIP = dict(type='SampleFrames', clip_len=8, frame_interval=2, num_clips=1, test_mode=True)
TAIL = [dict(type='Resize', scale=(-1, 88)), dict(type='CenterCrop', crop_size=80),
        dict(type='FormatShape', input_format='NCTHW')]


def _videos(quick):
    from mmaction_ext.datasets.synthetic import generate_classification
    root = osp.join(tempfile.gettempdir(), f'mmaction_ext_bench_decode_{"quick" if quick else "full"}')
    generate_classification(root, num_classes=12, train_per_class=1 if quick else 4, val_per_class=0,
                            num_frames=32, size=112, fps=16, seed=0, progress=False)
    with open(osp.join(root, 'train_list.txt')) as f:
        return [osp.join(root, line.split()[0]) for line in f if line.strip()]


def _pipeline_variant(init, decode):

    def build(quick=False):
        import mmaction_ext  # noqa: F401  (registers VideoInit/VideoDecode, compat)
        from mmaction.registry import TRANSFORMS
        from mmengine.dataset import Compose
        from mmengine.registry import init_default_scope
        init_default_scope('mmaction')
        pipeline = Compose([TRANSFORMS.build(t) for t in [init, CLIP, decode, *TAIL]])
        videos = _videos(quick)

        def step():
            for filename in videos:
                pipeline(dict(filename=filename, start_index=0, modality='RGB'))

        return Workload(step=step, unit='clip', items_per_step=len(videos))

    return Variant(build=build)


DESCRIPTION = ('Open a 32-frame 112x112 H.264 video of the motion demo, sample 8x2 frames, decode, resize, '
               'centre-crop and format one test clip; latency per video. ')

register_case('video_decode_decord', Case(
    description=DESCRIPTION + "Ours: VideoInit/VideoDecode with the default backends (torchcodec first, then "
    "decord and PyAV) and with decord first (the previous default); peer: MMAction2's DecordInit/DecordDecode.",
    peer='mmaction DecordInit+DecordDecode',
    variants={
        'mmaction DecordInit+DecordDecode': _pipeline_variant(dict(type='DecordInit'), dict(type='DecordDecode')),
        'ours VideoInit+VideoDecode (torchcodec first)': _pipeline_variant(dict(type='VideoInit'),
                                                                           dict(type='VideoDecode')),
        'ours VideoInit+VideoDecode (decord first)': _pipeline_variant(
            dict(type='VideoInit', backends=('decord', 'pyav')), dict(type='VideoDecode')),
    }))

register_case('video_decode_pyav', Case(
    description=DESCRIPTION + "The fallback path: ours with PyAV only (counts frames by decoding, since the "
    "files it serves have broken metadata); peer: MMAction2's PyAVInit/PyAVDecode.",
    peer='mmaction PyAVInit+PyAVDecode',
    variants={
        'mmaction PyAVInit+PyAVDecode': _pipeline_variant(dict(type='PyAVInit'), dict(type='PyAVDecode')),
        'ours VideoInit+VideoDecode (pyav only)': _pipeline_variant(
            dict(type='VideoInit', backends=('pyav', )), dict(type='VideoDecode')),
    }))
