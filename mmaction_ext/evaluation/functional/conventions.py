"""The evaluation conventions of the JHMDB51-21 / UCF101-24 detection benchmarks, one preset per published
evaluator, each element overridable.

Elements (values named after the evaluator that defines them):

- ``box``: box areas for every IoU: ``'voc'`` ``(x2 - x1) * (y2 - y1)``, ``'act'`` ``+1`` pixel.
- ``matching``: a detection (or tube) is matched to ``'voc'`` the highest-IoU ground truth among *all*
  of its frame (video), and is a false positive when that one is already taken (VOC, TF-OD-API,
  MultiSports); ``'act'`` the highest-IoU ground truth *still unmatched* (ACT-detector, YOWO / CSA video).
- ``ap``: ``'voc'`` all-point interpolated AP; ``'act'`` trapezoids from (recall 0, precision 1).
- ``temporal_iou``: the temporal factor of the ST-IoU, ``'act'`` / ``'voc'`` / ``'yowo'`` / ``None``
  (see :mod:`mmaction_ext.structures.tube_ops`).
- ``tube_nms_thr``: 3D NMS per video and class after linking at this ST-IoU, or ``None`` for none.
- ``linking``: the default linker (:data:`.tube_linking.LINKERS`).

Presets (``CONVENTIONS``):

- ``'voc'``: MultiSports / MMAction2 ``multisports_utils`` (``frameAP``, ``link_tubes``, ``videoAP``);
  its frame part is also the TF-OD-API Pascal evaluator of YOWO, TubeR and CSA.
- ``'act'``: ACT-detector (and its port in MOC-Detector): ``frameAP``, ``BuildTubes``, ``videoAP``.
- ``'csa'``: the YOWO-derived video-mAP of CSA (``video_map.py``); video only, CSA's frame-mAP is ``'voc'``.

A convention is given as a preset name, or as a dict ``dict(base='act', ap='voc')`` overriding elements of
a preset (``base`` defaults to ``'voc'``).
"""
from dataclasses import asdict, dataclass, replace
from typing import Mapping, Optional, Union

from ...structures import BOX_CONVENTIONS, check_temporal_convention
from ...utils import unknown_name_message

MATCHING_RULES = ('voc', 'act')
AP_METHODS = ('voc', 'act')


@dataclass(frozen=True)
class EvalConvention:
    """One evaluator's choices; see the module docstring. ``name`` is the preset it derives from."""
    name: str
    box: str
    matching: str
    ap: str
    temporal_iou: Optional[str]
    tube_nms_thr: Optional[float]
    linking: str

    def __post_init__(self):
        for element, valid in (('box', BOX_CONVENTIONS), ('matching', MATCHING_RULES), ('ap', AP_METHODS)):
            if getattr(self, element) not in valid:
                raise ValueError(f'convention {self.name!r}: unknown {element} {getattr(self, element)!r}; '
                                 f'expected one of {valid}')
        try:
            check_temporal_convention(self.temporal_iou)
        except ValueError as error:
            raise ValueError(f'convention {self.name!r}: {error}') from None
        if self.tube_nms_thr is not None and not 0 <= self.tube_nms_thr <= 1:
            raise ValueError(f'convention {self.name!r}: tube_nms_thr {self.tube_nms_thr} outside [0, 1]')


CONVENTIONS = {
    'voc': EvalConvention('voc', box='voc', matching='voc', ap='voc', temporal_iou='voc', tube_nms_thr=None,
                          linking='greedy'),
    'act': EvalConvention('act', box='act', matching='act', ap='act', temporal_iou='act', tube_nms_thr=0.3,
                          linking='greedy'),
    # CSA's 3D NMS runs inside its linker, before the tubes are trimmed.
    'csa': EvalConvention('csa', box='act', matching='act', ap='voc', temporal_iou='yowo', tube_nms_thr=None,
                          linking='csa'),
}
# Presets that define no frame-mAP, and the preset their evaluator uses for frames.
_FRAME_CONVENTION_OF = {'csa': 'voc'}

ConventionLike = Union[str, Mapping, EvalConvention]


def resolve_convention(convention: ConventionLike, frames: bool = False) -> EvalConvention:
    """The :class:`EvalConvention` of a preset name, an ``EvalConvention`` or a dict of overrides with an
    optional ``base`` preset; ``frames=True`` for frame-mAP, which the video-only presets refuse.

    Raises:
        ValueError: naming an unknown preset or element (with the closest valid name) or a bad value.
    """
    if isinstance(convention, EvalConvention):
        resolved = convention
    elif isinstance(convention, str):
        if convention not in CONVENTIONS:
            raise ValueError(unknown_name_message(convention, list(CONVENTIONS), 'evaluation convention'))
        resolved = CONVENTIONS[convention]
    elif isinstance(convention, Mapping):
        overrides = dict(convention)
        base = resolve_convention(overrides.pop('base', 'voc'))
        elements = [name for name in asdict(base) if name != 'name']
        for key in overrides:
            if key not in elements:
                raise ValueError(unknown_name_message(key, elements, 'convention element'))
        resolved = replace(base, **overrides)
    else:
        raise TypeError(f'convention must be a preset name {sorted(CONVENTIONS)}, a dict of overrides or an '
                        f'EvalConvention, got {type(convention).__name__}')
    if frames and resolved.name in _FRAME_CONVENTION_OF:
        raise ValueError(f'convention {resolved.name!r} defines video-mAP only; its evaluator computes '
                         f'frame-mAP with convention {_FRAME_CONVENTION_OF[resolved.name]!r}')
    return resolved
