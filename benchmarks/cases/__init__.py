"""Benchmark cases. A case is a set of variants, one of which is the in-tree MMAction2 peer."""
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional

import torch


@dataclass
class Workload:
    """What a variant's ``build`` returns: a step to time and, for models, what to count."""
    step: Callable[[], Any]
    unit: str = 'item'
    items_per_step: int = 1
    model: Optional[Any] = None
    flops_inputs: Optional[Any] = None
    flops_scale: float = 1.0  # e.g. 3 for a training step (forward + backward ~ 3 forwards)
    report: Optional[Callable[[], str]] = None  # what the last step computed, e.g. an mAP, for the table


@dataclass
class Variant:
    build: Callable[..., Workload]


@dataclass
class Case:
    description: str
    peer: str
    variants: Dict[str, Variant] = field(default_factory=dict)
    repeats: Optional[int] = None  # overrides --repeats for slow cases
    warmup: Optional[int] = None


class BackboneHead(torch.nn.Module):
    """``head(backbone(x))``: a recognizer without data preprocessing, what the model cases time and count."""

    def __init__(self, backbone, head):
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, x):
        return self.head(self.backbone(x))


def head_loss_workload(model: BackboneHead, x, samples, optimizer, train: bool, after_step=None) -> Workload:
    """A training step of ``model`` on ``x`` (the head's ``loss`` terms summed, backward, ``optimizer.step()``,
    then ``after_step()``, e.g. a hook's work) or a no-grad forward, counted as 3 forwards or 1."""

    def step():
        if train:
            optimizer.zero_grad()
            losses = model.head.loss(model.backbone(x), samples)
            sum(value for name, value in losses.items() if name.startswith('loss')).backward()
            optimizer.step()
            if after_step is not None:
                after_step()
        else:
            with torch.no_grad():
                model(x)

    return Workload(step=step, unit='clip' if train else 'view', model=model, flops_inputs=(x, ),
                    flops_scale=3.0 if train else 1.0)


CASES: Dict[str, Case] = {}


def register_case(name: str, case: Case) -> Case:
    if case.peer not in case.variants:
        raise ValueError(f'case {name}: peer {case.peer!r} is not one of its variants {sorted(case.variants)}')
    CASES[name] = case
    return case


from . import (art, csa, demo_rendering, detection_eval, emim, export, focusvideo, video_decode,  # noqa: E402,F401
               video_focalnet)
from .learning import LEARNING_CASES, run_learning_case  # noqa: E402,F401
