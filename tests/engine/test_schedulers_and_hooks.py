"""The engine pieces the recipes need: CSA's warm-up from one absolute lr for every group, the fixed-name link to
the best checkpoint that fine-tuning configs load, and mixed precision only where the device has it."""
import os
import os.path as osp

import pytest
import torch
from mmengine.logging import MessageHub, MMLogger


def test_linear_warmup_from_lr_reaches_each_groups_lr_from_one_start():
    from mmengine.optim import OptimWrapper

    from mmaction_ext.engine import LinearWarmupFromLR
    head, backbone = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    optimizer = torch.optim.AdamW([dict(params=head.parameters(), lr=1e-4),
                                   dict(params=backbone.parameters(), lr=1e-5)])
    wrapper = OptimWrapper(optimizer)
    iters = 10
    scheduler = LinearWarmupFromLR.build_iter_from_epoch(wrapper, start_lr=1e-5, begin=0, end=3, by_epoch=True,
                                                         epoch_length=iters)
    seen = []
    for _ in range(3 * iters + 5):
        seen.append([group['lr'] for group in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    last = 3 * iters - 1
    for i, (lr_head, lr_backbone) in enumerate(seen):
        progress = min(i, last) / last
        assert lr_head == pytest.approx(1e-5 + (1e-4 - 1e-5) * progress)
        assert lr_backbone == pytest.approx(1e-5)  # AVA: the backbone stays at the warm-up start
    with pytest.raises(ValueError, match='start_lr'):
        LinearWarmupFromLR(wrapper, start_lr=-1.0)


class _Runner:
    def __init__(self, work_dir):
        self.message_hub = MessageHub.get_instance('best-link-test')
        self.logger = MMLogger.get_instance('best-link-test')
        self.work_dir = work_dir


def test_best_checkpoint_link_follows_the_best_checkpoint(tmp_path):
    from mmaction_ext.engine import BestCheckpointLinkHook
    runner = _Runner(str(tmp_path))
    hook = BestCheckpointLinkHook()
    hook.after_val_epoch(runner)  # no best checkpoint yet: nothing
    assert not osp.lexists(tmp_path / 'best.pth')
    for epoch in (1, 3):
        best = tmp_path / f'best_acc_top1_epoch_{epoch}.pth'
        torch.save(dict(epoch=epoch), best)
        runner.message_hub.update_info('best_ckpt', str(best))
        hook.after_val_epoch(runner)
        assert torch.load(tmp_path / 'best.pth')['epoch'] == epoch
        assert os.readlink(tmp_path / 'best.pth') == best.name  # relative: the work dir can move
    with pytest.raises(ValueError, match='file name'):
        BestCheckpointLinkHook('sub/best.pth')


def test_device_amp_optim_wrapper_falls_back_to_fp32_on_cpu():
    from mmengine.optim import AmpOptimWrapper, OptimWrapper

    from mmaction_ext.engine import DeviceAmpOptimWrapper, amp_device_available
    model = torch.nn.Linear(2, 2)
    wrapper = DeviceAmpOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
                                    clip_grad=dict(max_norm=5))
    assert isinstance(wrapper, OptimWrapper)
    assert isinstance(wrapper, AmpOptimWrapper) is amp_device_available()
    assert wrapper.clip_grad_kwargs == dict(max_norm=5)
