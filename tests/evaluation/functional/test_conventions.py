"""Evaluation conventions: presets, overrides and the errors for bad ones."""
import numpy as np
import pytest

from helpers.tubes import BOX, tube
from mmaction_ext.evaluation.functional import CONVENTIONS, EvalConvention, frame_ap, resolve_convention


def test_presets_name_their_evaluators_choices():
    assert resolve_convention('voc') == EvalConvention('voc', 'voc', 'voc', 'voc', 'voc', None, 'greedy')
    assert resolve_convention('act') == EvalConvention('act', 'act', 'act', 'act', 'act', 0.3, 'greedy')
    assert resolve_convention('csa') == EvalConvention('csa', 'act', 'act', 'voc', 'yowo', None, 'csa')
    assert set(CONVENTIONS) == {'voc', 'act', 'csa'}


def test_overrides_replace_single_elements_of_a_base():
    assert resolve_convention(dict(base='act', ap='voc')) == EvalConvention('act', 'act', 'act', 'voc', 'act', 0.3,
                                                                            'greedy')
    assert resolve_convention(dict(tube_nms_thr=0.3)).tube_nms_thr == 0.3  # base defaults to 'voc'
    assert resolve_convention(dict(base='act', temporal_iou=None)).temporal_iou is None
    preset = resolve_convention('act')
    assert resolve_convention(preset) is preset


@pytest.mark.parametrize('convention, message', [
    ('vco', "unknown evaluation convention 'vco'; did you mean 'voc'?"),
    (dict(base='act', matchng='voc'), "unknown convention element 'matchng'; did you mean 'matching'?"),
    (dict(ap='11point'), "convention 'voc': unknown ap '11point'; expected one of"),
    (dict(temporal_iou='both'), "convention 'voc': unknown temporal IoU convention 'both'"),
    (dict(tube_nms_thr=3), r'tube_nms_thr 3 outside \[0, 1\]'),
])
def test_bad_conventions_are_named(convention, message):
    with pytest.raises(ValueError, match=message):
        resolve_convention(convention)


def test_video_only_convention_refuses_frame_map():
    """CSA computes frame-mAP with the TF-OD-API Pascal evaluator ('voc'), not with its video settings."""
    with pytest.raises(ValueError, match="convention 'csa' defines video-mAP only; .* frame-mAP with convention 'voc'"):
        frame_ap({'a': {0: [tube(1, 1)]}}, ['a'], np.array([[0, 1, 0, 1.0, *BOX]]), 1, convention='csa')
    with pytest.raises(TypeError, match='convention must be a preset name'):
        resolve_convention(3)
