# A CPU-sized Video-FocalNet (embed 24, depths 1-1-2-1) trained from scratch on the built-in motion demo:
# the README's main job. Same data, sampling, schedule and test views as the R3D demo config.
_base_ = ['../demo/r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='VideoFocalNet',
        arch=dict(embed_dims=24, depths=(1, 1, 2, 1), focal_levels=(2, 2, 2, 2), focal_windows=(3, 3, 3, 3)),
        num_frames=8,
        drop_path_rate=0.1),
    cls_head=dict(_delete_=True, type='VideoFocalNetHead', in_channels=192, num_classes=12, average_clips='prob'))
