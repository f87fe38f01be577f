"""What the tools share: one-line errors for misspelled or missing constructor arguments in a config."""
import pytest
from mmengine.registry import init_default_scope

from mmaction_ext.engine.cli import constructor_argument_names, describe_construction_error


@pytest.fixture(autouse=True)
def mmaction_scope():
    import mmaction_ext  # noqa: F401
    init_default_scope('mmaction')


def _build_error(cfg):
    from mmaction.registry import MODELS
    with pytest.raises(TypeError) as info:
        MODELS.build(cfg)
    return info.value


def test_misspelled_backbone_argument_inside_a_recognizer():
    error = _build_error(dict(type='Recognizer3D', backbone=dict(type='VideoFocalNet', num_frame=8),
                              cls_head=dict(type='VideoFocalNetHead', num_classes=4, in_channels=768)))
    assert describe_construction_error(error).startswith(
        "VideoFocalNet (mmaction_ext.models.backbones.video_focalnet): unknown argument 'num_frame'; "
        "did you mean 'num_frames'? (valid: arch, drop_path_rate")


def test_arguments_passed_on_through_kwargs_count_as_valid():
    """VideoFocalNetHead passes **kwargs to I3DHead and BaseHead: their arguments are valid names too."""
    names = constructor_argument_names(__import__('mmaction_ext').models.VideoFocalNetHead)
    assert {'num_classes', 'init_cfg', 'spatial_type', 'average_clips', 'label_smooth_eps'} <= set(names)
    error = _build_error(dict(type='VideoFocalNetHead', num_classes=4, in_channels=8, averge_clips='prob'))
    assert "unknown argument 'averge_clips'; did you mean 'average_clips'?" in describe_construction_error(error)


def test_missing_argument_and_unrelated_errors():
    error = _build_error(dict(type='VideoFocalNetHead', in_channels=8))
    assert describe_construction_error(error) == (
        "VideoFocalNetHead (mmaction_ext.models.heads.video_focalnet_head): missing required argument(s) "
        "'num_classes'")
    assert describe_construction_error(TypeError('unsupported operand type(s) for +')) is None
