"""ART's head: selection without labels, RSSA shapes and switches, eq. 9 against a loop oracle, the losses of
eq. 18, the bank fine-tuning (eqs. 12-16) and the input errors."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmaction.structures import ActionDataSample

import mmaction_ext  # noqa: F401
from mmaction_ext.engine.hooks import TextBankEMAHook
from mmaction_ext.models.heads import ARTHead, aggregate_tracklets
from mmaction_ext.models.layers.text_bank import save_text_bank

C, CT, T, L = 32, 16, 4, 9


def _head(**kwargs):
    options = dict(num_classes=5, in_channels=C, num_frames=T, text_channels=CT, num_prompts=3,
                   allow_random_bank=True, embed_dims=16, num_encoder_layers=1, num_decoder_layers=1, num_heads=2,
                   ffn_channels=32, attn_dropout=0.0, dropout_ratio=0.0)
    options.update(kwargs)
    torch.manual_seed(0)
    head = ARTHead(**options)
    with pytest.warns(UserWarning, match='random text bank') if options.get('rssa', True) else _nothing():
        head.init_weights()
    return head


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *args):
        return False


def _samples(labels):
    return [ActionDataSample().set_gt_label(torch.tensor([label])) for label in labels]


def _feats(batch=2):
    torch.manual_seed(1)
    return torch.randn(batch, C), torch.randn(batch, T, L, C)


def test_shapes_and_losses_of_eq_18():
    head = _head()
    feats = _feats()
    assert head(feats).shape == (2, 5)
    losses = head.loss(feats, _samples([0, 3]))
    assert set(losses) == {'loss_cls', 'loss_video', 'loss_mtc_spatial', 'loss_mtc_temporal', 'loss_mtc_tracklet',
                           'loss_sema_video', 'loss_sema_prototype', 'top1_acc', 'top5_acc'}
    parts = head.forward_tracklets(*feats)
    assert parts['responses'].shape == (2, T, 2, 16) and parts['tracklets'].shape == (2, 2, 16)
    assert parts['classes'].shape == (2, 2)


def test_selection_never_reads_labels():
    head = _head().eval()
    feats = _feats()
    classes = head.forward_tracklets(*feats)['classes']
    # Top-2 classes of the x_cls classifier (L_v's), computed independently.
    assert torch.equal(classes, (feats[0] @ head.fc_video.weight.t() + head.fc_video.bias).topk(2).indices)
    similarity = _head(selection='similarity').eval()  # by cosine to the template-mean semantics
    video = F.normalize(similarity.video_to_text(feats[0]), dim=-1)
    means = F.normalize(similarity.semantic_bank.bank.mean(1), dim=-1)
    assert torch.equal(similarity.forward_tracklets(*feats)['classes'], (video @ means.t()).topk(2).indices)
    # Whatever the labels, training selects the same classes and testing gives the same scores.
    scores = head(feats)
    for labels in ([0, 1], [4, 2]):
        torch.manual_seed(3)
        head.loss(feats, _samples(labels))
        assert torch.equal(head.forward_tracklets(*feats)['classes'], classes)
    assert torch.equal(head(feats), scores)
    fixed = _head(selection='fixed', fixed_classes=[4, 1])
    assert fixed.forward_tracklets(*feats)['classes'].tolist() == [[4, 1], [4, 1]]


def test_tracklet_aggregation_matches_eq_9_loop():
    torch.manual_seed(2)
    responses, semantics = torch.randn(2, 5, 3, 8), torch.randn(2, 3, 8)
    out = aggregate_tracklets(responses, semantics, 'text', temperature=0.5)
    for n in range(2):
        for k in range(3):
            expected = torch.zeros(8)
            for t in range(5):
                weight = 0.0
                for i in range(3):
                    sims = [math.exp(float(F.cosine_similarity(semantics[n, i], responses[n, u, k], dim=0)) / 0.5)
                            for u in range(5)]
                    weight += sims[t] / sum(sims) / 3
                expected += responses[n, t, k] * weight
            assert torch.allclose(out[n, k], expected / 5, atol=1e-5)
    assert torch.allclose(aggregate_tracklets(responses, semantics, 'sum'), responses.sum(1))
    assert torch.allclose(aggregate_tracklets(responses, semantics, 'mean'), responses.mean(1))


def test_table_iv_switches():
    baseline = _head(rssa=False)
    assert [name for name, _ in baseline.named_children()] == ['loss_cls', 'dropout', 'fc_video']
    assert set(baseline.loss(_feats(), _samples([0, 1]))) == {'loss_cls', 'top1_acc', 'top5_acc'}
    no_se = _head(spatial_enhancement=False, loss_mtc=None, finetune_losses=[])
    assert no_se.rssa.encoder is None and no_se.semantic_bank.agent is None
    assert set(no_se.loss(_feats(), _samples([0, 1]))) == {'loss_cls', 'loss_video', 'top1_acc', 'top5_acc'}


def test_semantic_bank_losses_match_eqs_13_to_16():
    head = _head(logit_scale=1.0, finetune_losses=['video', 'prototype'])
    bank = head.semantic_bank
    torch.manual_seed(4)
    bank.agent.data = torch.randn_like(bank.agent)
    video = torch.randn(2, CT)
    logits = bank.video_logits(video)
    for n in range(2):
        for i in range(5):
            expected = max(float(F.cosine_similarity(video[n], bank.agent[i, j].detach(), dim=0)) for j in range(3))
            assert logits[n, i].item() == pytest.approx(expected, abs=1e-5)
    prototypes = bank.prototype_logits()
    projected = bank.prototype_mlp(bank.prototypes)
    for i in range(5):
        for j in range(5):
            expected = sum(float(F.cosine_similarity(projected[i].detach(), bank.agent[j, p].detach(), dim=0)) for p in range(3)) / 3
            assert prototypes[i, j].item() == pytest.approx(expected, abs=1e-5)
    losses = bank.losses(video, torch.tensor([1, 2]))
    assert losses['loss_sema_prototype'].item() == pytest.approx(F.cross_entropy(prototypes, torch.arange(5)).item())
    learnable = _head().semantic_bank
    assert learnable.logit_scale.item() == pytest.approx(1 / 0.07, rel=1e-5)


def test_sema_loss_reaches_x_cls_only_when_asked():
    for reaches in (True, False):
        head = _head(sema_to_backbone=reaches, loss_mtc=None, finetune_losses=['video'])
        x_cls, tokens = _feats()
        x_cls.requires_grad_(True)
        head.loss((x_cls, tokens), _samples([0, 1]))['loss_sema_video'].backward()
        assert (x_cls.grad is not None and x_cls.grad.abs().sum() > 0) == reaches
        assert head.semantic_bank.agent.grad.abs().sum() > 0  # the agent always learns
        assert head.semantic_bank.bank.grad is None  # eq. 12: no gradient into S


def test_ema_hook_moves_the_bank_towards_the_agent():
    head = _head(bank_momentum=0.9)
    bank = head.semantic_bank
    before = bank.bank.clone()
    bank.agent.data = torch.randn_like(bank.agent)

    class Runner:
        model = torch.nn.Sequential(head)
    TextBankEMAHook().after_train_iter(Runner(), 0)
    assert torch.allclose(bank.bank, 0.9 * before + 0.1 * bank.agent.detach())
    Runner.model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    with pytest.raises(RuntimeError, match='no module with update_text_bank'):
        TextBankEMAHook().after_train_iter(Runner(), 0)


def test_bank_file_is_loaded_and_checked(tmp_path):
    bank = F.normalize(torch.randn(5, 3, CT), dim=-1)
    path = str(tmp_path / 'bank.pth')
    save_text_bank(path, bank, [f'c{i}' for i in range(5)], [f'c{i}' for i in range(5)], ['{}', 'a {}', 'b {}'],
                   'tiny', '0' * 64)
    head = ARTHead(num_classes=5, in_channels=C, num_frames=T, text_channels=CT, num_prompts=3, text_bank=path,
                   embed_dims=16, num_encoder_layers=1, num_decoder_layers=1, num_heads=2, ffn_channels=32)
    head.init_weights()
    assert torch.allclose(head.semantic_bank.bank, bank, atol=1e-3)
    assert torch.allclose(head.semantic_bank.agent, bank, atol=1e-3)  # S^a starts as S^0
    wrong = ARTHead(num_classes=6, in_channels=C, num_frames=T, text_channels=CT, num_prompts=3, text_bank=path)
    with pytest.raises(ValueError, match=r'is \(classes, templates, C_t\) = \(5, 3, 16\), the config expects '
                                         r'\(6, 3, 16\)'):
        wrong.init_weights()
    missing = ARTHead(num_classes=5, in_channels=C, num_frames=T, text_bank=str(tmp_path / 'none.pth'))
    with pytest.raises(FileNotFoundError, match='none.pth does not exist: build it with tools/build_text_bank.py'):
        missing.init_weights()


def test_input_errors_are_named():
    with pytest.raises(ValueError, match='num_regions K=6 > num_classes=5'):
        _head(num_regions=6)
    with pytest.raises(ValueError, match='fixed_classes'):
        _head(selection='fixed', fixed_classes=[0, 9])
    head = _head()
    with pytest.raises(ValueError, match=r'T=3 frames of tokens \(2, 3, 9, 32\), the config num_frames=4'):
        head((torch.randn(2, C), torch.randn(2, 3, L, C)))
    with pytest.raises(ValueError, match=r'feature map \(N, C, T, H, W\) from the backbone, got \(2, 32\)'):
        head(torch.randn(2, C))
    # A feature map (TEA, ResNet3d): tokens are its positions, x_cls its mean.
    fmap = torch.randn(2, C, T, 3, 3)
    x_cls, tokens = head.unpack(fmap)
    assert tokens.shape == (2, T, 9, C) and torch.allclose(x_cls, fmap.mean(dim=(2, 3, 4)))
    assert torch.allclose(tokens[1, 2, 4], fmap[1, :, 2, 1, 1])


@pytest.mark.parametrize('config', ['configs/demo/r3d_r18-w16_scratch_1xb8-30e_8x2x1_motion-demo.py',
                                    'configs/video_focalnet/videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-'
                                    'demo-online.py'])
def test_art_head_on_other_backbones(config):
    """Beyond the paper: RSSA, tracklets and the losses on any backbone that gives a feature map."""
    import os.path as osp

    from mmaction.registry import MODELS
    from mmengine.config import Config

    from helpers import REPO_ROOT
    backbone = MODELS.build(Config.fromfile(osp.join(REPO_ROOT, config)).model.backbone)
    x = torch.randn(2, 3, 8, 64, 64)
    fmap = backbone(x)
    fmap = fmap[-1] if isinstance(fmap, tuple) else fmap
    head = _head(in_channels=fmap.shape[1], num_frames=fmap.shape[2])
    losses = head.loss(backbone(x), _samples([1, 4]))
    sum(value for name, value in losses.items() if name.startswith('loss')).backward()
    assert all(p.grad is not None for p in backbone.parameters() if p.requires_grad)
    assert head(backbone(x)).shape == (2, 5)


def test_zero_shot_bank_scores_unseen_classes_by_eq_13(tmp_path):
    """Beyond the paper: trained on 5 classes, tested on 3 others through the video consistency scorer."""
    head = _head(logit_scale=1.0)
    x_cls, tokens = _feats(3)
    video = F.normalize(head.video_to_text(x_cls), dim=-1).detach()
    unseen = F.normalize(torch.randn(3, 2, CT), dim=-1)
    unseen[2, 1], unseen[0, 0], unseen[1, 1] = video[0], video[1], video[2]  # video n matches class (2, 0, 1)[n]
    path = str(tmp_path / 'unseen.pth')
    save_text_bank(path, unseen, ['u0', 'u1', 'u2'], ['u0', 'u1', 'u2'], ['{}', 'a {}'], 'tiny', '0' * 64)
    zero_shot = _head(logit_scale=1.0, zero_shot_bank=path)
    zero_shot.load_state_dict(head.state_dict())
    zero_shot.eval()
    scores = zero_shot((x_cls, tokens))
    assert scores.shape == (3, 3) and scores.argmax(1).tolist() == [2, 0, 1]
    assert torch.allclose(scores.max(1).values, torch.ones(3), atol=1e-5)  # a template equal to the video: cos 1
    zero_shot.train()
    assert zero_shot((x_cls, tokens)).shape == (3, 5)  # training keeps the trained classes
    with pytest.raises(ValueError, match='zero_shot_bank needs rssa=True'):
        _head(rssa=False, zero_shot_bank=path)


def test_fused_attention_path_gives_the_weighted_paths_results():
    """The RSSA layers skip the attention maps (fused SDPA) unless asked: same responses either way."""
    head = _head(num_encoder_layers=2, num_decoder_layers=2).eval()
    x_cls, tokens = _feats()
    semantics = head.semantic_bank.class_semantics()[torch.tensor([[0, 1], [2, 3]])]
    fused, _ = head.rssa(tokens, semantics)
    for module in head.rssa.modules():
        if hasattr(module, 'keep_weights'):
            module.keep_weights = True
    explicit, _ = head.rssa(tokens, semantics)
    assert torch.allclose(fused, explicit, atol=1e-5)


@pytest.mark.parametrize('finetune', [[], ['prototype']])
def test_without_the_video_consistency_loss_every_parameter_trains(finetune):
    """Table VI rows without L_video: no eq. 13 projection is built (nothing would train it; DDP stops on it), the
    selection reads the L_v classifier, and every parameter of the head gets a gradient; a configuration that
    would read the projection untrained is refused."""
    head = _head(finetune_losses=finetune)
    assert head.video_to_text is None
    losses = head.loss(_feats(), _samples([0, 3]))
    sum(value for name, value in losses.items() if name.startswith('loss')).backward()
    assert [n for n, p in head.named_parameters() if p.grad is None] == []
    assert not isinstance(head.semantic_bank.log_logit_scale, torch.nn.Parameter) or finetune
    for bad in (dict(selection='similarity'), dict(zero_shot_bank='unseen.pth')):
        with pytest.raises(ValueError, match="add 'video' to finetune_losses"):
            ARTHead(num_classes=5, in_channels=C, num_frames=T, finetune_losses=finetune, **bad)
