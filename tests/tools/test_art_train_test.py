"""ART end to end: a text bank built by tools/build_text_bank.py from a tiny random CLIP, then the tiny ART
config through tools/train.py and a multi-view tools/test.py."""
import os.path as osp
import re

import torch

from helpers import REPO_ROOT, run_tool, tiny_demo_options
from mmaction_ext.fileio import load_checkpoint_safely
from mmaction_ext.models.layers.text_bank import load_text_bank

ART = osp.join(REPO_ROOT, 'configs', 'art', 'art_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py')


def test_train_then_multiview_test_tiny_art(tiny_demo_text_bank, tiny_motion_demo, tmp_path):
    work_dir = str(tmp_path)
    options = tiny_demo_options(tiny_motion_demo, epochs=1, config=ART) + [f'model.cls_head.text_bank={tiny_demo_text_bank}']
    trained = run_tool(['tools/train.py', ART, '--work-dir', work_dir, '--cfg-options', *options])
    assert trained.returncode == 0, trained.stdout[-4000:]
    assert 'text bank S^0 from' in trained.stdout and '4 classes x 16 templates' in trained.stdout
    for loss in ('loss_cls', 'loss_video', 'loss_mtc_spatial', 'loss_mtc_temporal', 'loss_mtc_tracklet',
                 'loss_sema_video', 'loss_sema_prototype'):
        assert re.search(rf'{loss}: -?\d', trained.stdout), loss
    # The EMA hook moved the bank from S^0 towards its trained agent, and the checkpoint keeps both.
    state = load_checkpoint_safely(osp.join(work_dir, 'epoch_1.pth'), map_location='cpu')['state_dict']
    initial = load_text_bank(tiny_demo_text_bank)['bank']
    bank, agent = state['cls_head.semantic_bank.bank'], state['cls_head.semantic_bank.agent']
    assert not torch.allclose(bank, initial, atol=1e-6) and not torch.allclose(agent, initial, atol=1e-4)
    assert (bank - initial).abs().max() < (agent - initial).abs().max()  # mu = 0.999: S lags behind S^a
    tested = run_tool(['tools/test.py', ART, osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir,
                       '--cfg-options', *options])
    assert tested.returncode == 0, tested.stdout[-4000:]
    assert re.search(r'acc/mean1\s+[\d.]+', tested.stdout.split('Test results of')[-1])

