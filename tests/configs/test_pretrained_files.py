"""A paper config whose pretrained weights are missing stops before training, naming the file, where to get it
and the explicit switch that trains from scratch; with the switch it initialises without them."""
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import REPO_ROOT
from helpers.config_smoke import shrink_model

# one config per backbone family: (config, the switch that trains from scratch)
CASES = [
    ('video_focalnet/videofocalnet_tiny_in1k-srf-pre_4xb8-120e_1x4x8_kinetics400-rgb.py', 'model.backbone.pretrained'),
    ('emim/uniformer-emim_small_in1k-pre_8xb4-110e_16x4x1_kinetics400-rgb.py', 'model.backbone.pretrained'),
    ('focusvideo/focusvideo_vit-b16_clip-pre_4xb16-12e_8x16x1_kinetics400-rgb.py', 'model.backbone.pretrained'),
    ('art/art_uniformerv2-b16_k400-pre_4xb6-50e_16x1x1_finegym99-rgb.py', 'model.backbone.pretrained'),
    ('art/art_uniformerv2-l14_k710-pre_4xb6-50e_16x1x1_kinetics400-rgb.py', 'model.backbone.pretrained'),
    ('art/art_tea-r50_in1k-pre_4xb6-50e_16x1x1_finegym99-rgb.py', 'model.backbone.pretrained'),
    ('csa/csa_vit-b_k400-pre_8xb2-12e_16x4x1_ava22.py', 'model.backbone.init_cfg'),
    ('csa/csa_ircsn152_ig65m-k400-pre_8xb2-12e_32x2x1_ava22.py', 'model.init_cfg'),
]


@pytest.fixture(scope='module', autouse=True)
def mmaction_scope():
    import mmaction_ext  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')


def _model(cfg):
    from mmaction.registry import MODELS
    head = cfg.model.get('cls_head') or {}
    if head.get('type') == 'ARTHead':  # the bank is another file, checked by its own test
        head.update(text_bank=None, allow_random_bank=True)
    return MODELS.build(cfg.model)


@pytest.mark.parametrize('config,switch', CASES, ids=[c for c, _ in CASES])
def test_missing_pretrained_weights_stop_with_the_file_and_the_switch(config, switch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing under data/ or checkpoints/
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', config))
    shrink_model(cfg.model)
    model = _model(cfg)
    with pytest.raises(FileNotFoundError) as error:
        model.init_weights()
    message = str(error.value)
    owner, key = switch.rsplit('.', 1)
    named = cfg.model.backbone.get('pretrained') or cfg.model.backbone.get('init_cfg', {}).get('checkpoint') or \
        cfg.model.init_cfg['checkpoint']
    assert named in message and 'docs/' in message and f'set {switch}=None' in message
    # the explicit switch: from scratch, no file read
    target = cfg
    for part in owner.split('.'):
        target = target[part]
    target[key] = None
    with pytest.warns(UserWarning, match='random text bank') if cfg.model.get('cls_head', {}).get(
            'type') == 'ARTHead' else _no_warning():
        _model(cfg).init_weights()


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False
