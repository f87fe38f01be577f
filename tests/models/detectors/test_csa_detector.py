"""CSADetector: shapes and formats of both modes, the paper's switches (Tables 1-4), the per-tube
assignment, gradients cut where the paper cuts them, the oracle analysis, class attention, errors, and the
ViT-B JHMDB model's parameter count against the paper (Table 6: 117.8M)."""
import copy
import warnings

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import mmaction_ext  # noqa: F401
from mmaction_ext.models.detectors.csa_detector import resample_levels
from mmaction_ext.models.losses import FrameTargets

init_default_scope('mmaction')

NUM_CLASSES, QUERIES, FRAMES, SIZE = 5, 3, 4, 64


def tiny_cfg(**overrides):
    cfg = dict(
        type='CSADetector', num_classes=NUM_CLASSES, num_queries=QUERIES, num_frames=FRAMES, embed_dims=32,
        backbone=dict(type='ResNet3d', depth=18, pretrained=None, pretrained2d=False, base_channels=8, num_stages=3,
                      out_indices=(0, 1, 2), conv1_kernel=(1, 7, 7), conv1_stride_t=1, pool1_stride_t=1,
                      inflate=(1, 1, 1), spatial_strides=(1, 2, 2), temporal_strides=(1, 1, 1), dilations=(1, 1, 1)),
        neck=dict(type='MultiLevelProjection3D', in_channels=(8, 16, 32), out_channels=32, num_groups=8),
        encoder=dict(num_layers=1, layer_cfg=dict(self_attn_cfg=dict(num_heads=4, num_points=2, dropout=0.0),
                                                  ffn_cfg=dict(feedforward_channels=64, ffn_drop=0.0))),
        decoder=dict(num_layers=2, num_heads=4, feedforward_channels=64, dropout=0.0, class_dropout=0.0))
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(cfg.get(key), dict):
            cfg[key] = {**cfg[key], **value}
        else:
            cfg[key] = value
    return cfg


def build(**overrides):
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(**overrides))
    model.init_weights()
    return model


def tube_sample(boxes, labels, shape=(SIZE, SIZE), resolution=None):
    sample = ActionDataSample()
    sample.set_metainfo(dict(img_shape=shape, gt_resolution=resolution or shape, video_id='v', clip_index=0,
                             frame_ids=torch.arange(1, FRAMES + 1), frame_valid=torch.ones(FRAMES, dtype=bool)))
    sample.gt_instances = InstanceData(bboxes=torch.as_tensor(boxes, dtype=torch.float32),
                                       labels=torch.as_tensor(labels, dtype=torch.long))
    return sample


def walking_actor(label=2, start=0):
    boxes = torch.tensor([[8.0 + 4 * t, 10, 30 + 4 * t, 50] for t in range(FRAMES)])[None]
    labels = torch.full((1, FRAMES), label)
    labels[0, :start] = -1
    return boxes, labels


@pytest.fixture(scope='module')
def model():
    return build()


def test_tensor_mode_shapes(model):
    out = model(torch.randn(2, 3, FRAMES, SIZE, SIZE))
    assert out['class_logits'].shape == (2, 2, FRAMES, QUERIES, NUM_CLASSES)
    assert out['boxes'].shape == (2, 2, FRAMES, QUERIES, 4) and out['actor_logits'].shape[-1] == 3
    assert out['grid'] == (SIZE // 16, SIZE // 16)  # level -2 is stride 16 here


def test_tube_predictions_in_annotation_pixels(model):
    sample = tube_sample(*walking_actor(), resolution=(128, 96))  # annotation twice as tall, 1.5x as wide
    model.eval()
    pred = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [sample], mode='predict')[0].pred_instances
    assert pred.bboxes.shape == (QUERIES, FRAMES, 4) and pred.scores.shape == (QUERIES, FRAMES, NUM_CLASSES)
    assert pred.actor_scores.shape == (QUERIES, FRAMES)
    assert float(pred.bboxes[..., 0::2].max()) <= 96 + 1e-4 and float(pred.bboxes[..., 1::2].max()) <= 128 + 1e-4
    assert bool((pred.scores >= 0).all() and (pred.scores <= pred.actor_scores[..., None] + 1e-6).all())


def test_keyframe_mode_decodes_the_middle_frame_in_ava_format():
    model = build(mode='keyframe')
    assert model.anchors.weight.shape == (QUERIES, 4) and model.decoded_frames() == [FRAMES // 2]
    sample = ActionDataSample()
    sample.set_metainfo(dict(img_shape=(SIZE, SIZE), img_key='v,0001'))
    labels = torch.zeros(1, NUM_CLASSES + 1)
    labels[0, 3] = 1
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[4.0, 4, 40, 60]]), labels=labels)
    x = torch.randn(1, 3, FRAMES, SIZE, SIZE)
    losses = model(x, [copy.deepcopy(sample)], mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    model.eval()
    pred = model(x, [sample], mode='predict')[0].pred_instances
    assert pred.bboxes.shape == (QUERIES, 4) and bool(((pred.bboxes >= 0) & (pred.bboxes <= 1)).all())
    assert pred.scores.shape == (QUERIES, NUM_CLASSES + 1) and bool((pred.scores[:, 0] == 0).all())


@pytest.mark.parametrize('overrides', [
    dict(decoder=dict(level_agg='weighted')), dict(decoder=dict(level_agg='mean')),
    dict(decoder=dict(with_cdl=False)),
    dict(decoder=dict(with_cdl=False, level_agg='mean', cross_attention='detr', modulate_hw_attn=False)),
    dict(decoder=dict(cdl_cfg=dict(fusion='concat_conv'))), dict(decoder=dict(cdl_cfg=dict(fusion='cross_attn'))),
    dict(decoder=dict(cdl_cfg=dict(fusion='self_attn'))), dict(decoder=dict(cdl_cfg=dict(actor_position=False))),
    dict(decoder=dict(cdl_cfg=dict(pos_concat='per_head'))),
    dict(encoder=dict(type='transformer', num_layers=1, layer_cfg=dict(
        self_attn_cfg=dict(embed_dims=32, num_heads=4, batch_first=True),
        ffn_cfg=dict(embed_dims=32, feedforward_channels=64)))),
    dict(actor_head='bce', criterion=dict(conf_loss='bce')),
    dict(resample='interpolate'),
], ids=lambda o: str(o)[:60])
def test_switches_train(overrides):
    model = build(**overrides)
    losses = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(*walking_actor(start=1))], mode='loss')
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert model.anchors.weight.grad is not None


def test_switches_change_the_model():
    base = build()
    names = set(dict(base.named_parameters()))
    assert 'decoder.layers.0.level_weights.weight' in names
    assert 'decoder.layers.0.level_weights' in dict(build(decoder=dict(level_agg='weighted')).named_parameters())
    assert not any('cls_layers' in n for n, _ in build(decoder=dict(with_cdl=False)).named_parameters())
    base.eval()
    plain = build(decoder=dict(cdl_cfg=dict(actor_position=False)))
    plain.load_state_dict(base.state_dict())
    plain.eval()
    x = torch.randn(1, 3, FRAMES, SIZE, SIZE)
    assert not torch.allclose(base(x)['class_logits'], plain(x)['class_logits'])
    torch.testing.assert_close(base(x)['boxes'], plain(x)['boxes'])  # only classification changes


def test_actor_feature_is_detached_from_the_classification_branch():
    model = build(decoder=dict(num_layers=1))
    out = model(torch.randn(1, 3, FRAMES, SIZE, SIZE))
    out['class_logits'].sum().backward()
    ldl = model.decoder.layers[0]
    # f_i reaches the CDL detached: LDL's cross-attention and FFN get no gradient from the classes ...
    assert ldl.cross_attn.qcontent_proj.weight.grad is None
    assert ldl.ffn.layers[0][0].weight.grad is None
    # ... while the actor-specific context x_i (value of the CDL) still trains the level weights
    assert ldl.level_weights.weight.grad.abs().sum() > 0


def test_per_tube_assignment_keeps_crossing_actors_identities():
    """Actor A walks right, B walks left; they cross. Query 0 follows A but lags behind it; on the frame
    after the crossing its box is nearer B. Per frame it swaps to B there; per tube it keeps A."""
    from mmaction_ext.models.losses import CSACriterion
    a = torch.tensor([[0.2, 0.5, 0.1, 0.4], [0.4, 0.5, 0.1, 0.4], [0.5, 0.5, 0.1, 0.4], [0.8, 0.5, 0.1, 0.4]])
    b = torch.tensor([[0.8, 0.5, 0.1, 0.4], [0.6, 0.5, 0.1, 0.4], [0.45, 0.5, 0.1, 0.4], [0.2, 0.5, 0.1, 0.4]])
    pred = torch.stack([a.clone(), b.clone(), torch.full((4, 4), 0.05)], 1)  # (T, Q, 4)
    pred[2, 0, 0] = 0.46  # query 0 lags: at frame 2 it is nearer B (0.45) than A (0.5)
    pred[2, 1, 0] = 0.49
    targets = FrameTargets(boxes=[torch.stack([a[t], b[t]]) for t in range(4)],
                           labels=[torch.eye(2) for _ in range(4)], actors=[torch.arange(2) for _ in range(4)],
                           clips=1, frames=4)
    scores = torch.full((4, 3), 0.5)
    per_frame = CSACriterion(2, assign_per='frame').match(pred, scores, targets)
    per_tube = CSACriterion(2, assign_per='tube').match(pred, scores, targets)
    identity = [dict(zip(q.tolist(), t.tolist())) for q, t in per_tube]
    assert all(m == {0: 0, 1: 1} for m in identity)
    assert dict(zip(*[v.tolist() for v in per_frame[2]])) == {0: 1, 1: 0}  # the swap the tube match avoids


def test_clip_without_actors_and_actor_leaving_the_frame():
    model = build()
    empty = tube_sample(torch.zeros(0, FRAMES, 4), torch.zeros(0, FRAMES))
    boxes, labels = walking_actor()
    labels[0, 2:] = -1  # left the frame after frame 2
    leaving = tube_sample(boxes, labels)
    losses = model(torch.randn(2, 3, FRAMES, SIZE, SIZE), [empty, leaving], mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())
    only_empty = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(torch.zeros(0, FRAMES, 4),
                                                                         torch.zeros(0, FRAMES))], mode='loss')
    assert float(only_empty['loss_bbox'].detach()) == 0 and float(only_empty['loss_cls'].detach()) > 0


def test_more_actors_than_queries_warns_once():
    model = build()
    boxes = torch.tensor([[4.0 * i, 4, 4 * i + 10, 30] for i in range(QUERIES + 2)])[:, None].repeat(1, FRAMES, 1)
    labels = torch.ones(QUERIES + 2, FRAMES, dtype=torch.long)
    with pytest.warns(UserWarning, match=f'{QUERIES + 2} actors in one frame > num_queries={QUERIES}'):
        losses = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(boxes, labels)], mode='loss')
    assert torch.isfinite(sum(losses.values()))
    # more tubes than queries, but never more than QUERIES at once (an actor's two action segments): no warning
    model = build()
    labels = torch.full((QUERIES + 2, FRAMES), -1)
    labels[:, 0] = torch.tensor([1] * QUERIES + [-1, -1])
    labels[QUERIES:, 1:] = 2
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(boxes, labels)], mode='loss')


def test_frame_count_mismatch_is_named(model):
    with pytest.raises(ValueError, match=f'clips have 6 frames.*num_frames={FRAMES}'):
        model(torch.randn(1, 3, 6, SIZE, SIZE))
    with pytest.raises(ValueError, match='expected \\(A, 4, 4\\)'):
        model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(torch.zeros(1, 2, 4), torch.zeros(1, 2))],
              mode='loss')


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="mode must be 'tube' or 'keyframe'"):
        build(mode='frames')
    with pytest.raises(KeyError, match='unknown test_cfg keys'):
        build(test_cfg=dict(orcale='boxes'))
    with pytest.raises(ValueError, match='level_agg'):
        build(decoder=dict(level_agg='max'))
    with pytest.raises(ValueError, match='cross_attention'):
        build(decoder=dict(cross_attention='global'))
    with pytest.raises(ValueError, match='actor_head'):
        build(actor_head='bce', criterion=dict(conf_loss='ce3'))


def test_oracle_boxes_put_the_ground_truth_in_matched_queries():
    model = build(test_cfg=dict(oracle='boxes'))
    model.eval()
    boxes, labels = walking_actor()
    pred = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(boxes, labels)], mode='predict')[0]
    pred = pred.pred_instances.bboxes  # (Q, T, 4)
    hits = [(pred[:, t] - boxes[0, t]).abs().sum(-1).min() for t in range(FRAMES)]
    assert max(float(h) for h in hits) < 1e-3


def test_oracle_labels_give_the_true_class_the_top_score():
    model = build(test_cfg=dict(oracle='labels'))
    model.eval()
    boxes, labels = walking_actor(label=3)
    pred = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(boxes, labels)], mode='predict')[0]
    scores = pred.pred_instances.scores  # (Q, T, C)
    # the matched query has exactly the one-hot label in every frame
    matched = [(scores[:, t] == torch.nn.functional.one_hot(torch.tensor(3), NUM_CLASSES)).all(-1).any()
               for t in range(FRAMES)]
    assert all(bool(m) for m in matched)


def test_class_attention_maps():
    model = build(test_cfg=dict(class_attention=True))
    model.eval()
    pred = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [tube_sample(*walking_actor())], mode='predict')[0]
    maps = pred.pred_instances.class_attention
    assert maps.shape == (QUERIES, FRAMES, NUM_CLASSES, SIZE // 16, SIZE // 16)
    torch.testing.assert_close(maps.sum((-1, -2)), torch.ones(QUERIES, FRAMES, NUM_CLASSES))


def test_resample_levels_official_grid_and_interpolate():
    level = torch.ones(1, 1, 2, 3, 4)
    official = resample_levels([level], (2, 3, 4), 'official')[0]
    # linspace(-1, 1) with align_corners=False: corners sample half outside the map (zero padded)
    assert float(official[0, 0, 0, 0, 0]) == pytest.approx(0.25) and float(official[0, 0, 0, 1, 1]) == pytest.approx(1)
    torch.testing.assert_close(resample_levels([level], (2, 3, 4), 'interpolate')[0], level)
    up = resample_levels([torch.randn(1, 2, 1, 3, 4)], (4, 6, 8), 'interpolate')[0]
    assert up.shape == (1, 2, 4, 6, 8)
    with pytest.raises(ValueError, match='resample mode'):
        resample_levels([level], (2, 3, 4), 'nearest')


@pytest.mark.parametrize('mode', ['official', 'interpolate'])
def test_resample_levels_at_some_frames_equals_slicing_all(mode):
    # a level with the output's frame count (per-frame path) and one with half of them (3-D path)
    levels = [torch.randn(2, 3, 6, 5, 7), torch.randn(2, 3, 3, 2, 4)]
    full = resample_levels(levels, (6, 4, 5), mode)
    for frames in ([3], [0, 2, 5]):
        for some, every in zip(resample_levels(levels, (6, 4, 5), mode, frames), full):
            torch.testing.assert_close(some, every[:, :, frames])


def test_vit_b_jhmdb_parameters_match_the_paper():
    """Table 6: 117.8M parameters (ViT-B, JHMDB 40x1). Per-module breakdown in docs/csa.md."""
    cfg = Config.fromfile('configs/csa/csa_vit-b_k400-pre_8xb1-350e_40x1x1_jhmdb51-21.py')
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    total = sum(p.numel() for p in model.parameters())
    assert abs(total - 117.8e6) / 117.8e6 < 0.02, total
    assert sum(p.numel() for p in model.backbone.parameters()) == pytest.approx(86.2e6, rel=0.01)


def test_zero_area_ground_truth_box_gives_finite_losses():
    """AVA rows may hold a degenerate box (x1 == x2): GIoU and L1 stay finite."""
    model = build(mode='keyframe')
    sample = ActionDataSample()
    sample.set_metainfo(dict(img_shape=(SIZE, SIZE), img_key='v,0001'))
    labels = torch.zeros(2, NUM_CLASSES + 1)
    labels[:, 2] = 1
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[10.0, 10, 10, 40], [5, 5, 30, 30]]), labels=labels)
    losses = model(torch.randn(1, 3, FRAMES, SIZE, SIZE), [sample], mode='loss')
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters() if p.grad is not None)
