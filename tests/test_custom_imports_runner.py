"""A stock-MMAction2-style run: a config with custom_imports, built and trained by mmengine's Runner.

Runs in a fresh interpreter that never imports mmaction_ext itself, so everything of ours it uses
(VideoInit, VideoDecode, EpochSeedHook and the compat fixes) must come through custom_imports.
"""
import subprocess
import sys
import textwrap

from helpers import DEMO_CONFIG


def test_runner_from_cfg_with_custom_imports(tiny_motion_demo, tmp_path):
    config = tmp_path / 'stock_style.py'
    config.write_text(textwrap.dedent(f'''
        _base_ = [{DEMO_CONFIG!r}]
        custom_imports = dict(imports=['mmaction_ext'], allow_failed_imports=False)
        data_root = {tiny_motion_demo!r}
        model = dict(cls_head=dict(num_classes=4))
        train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False,
                                dataset=dict(ann_file=data_root + '/train_list.txt', data_prefix=dict(video=data_root)))
        train_cfg = dict(max_epochs=1, val_interval=10)
        val_dataloader = None
        val_cfg = None
        val_evaluator = None
        test_dataloader = None
        test_cfg = None
        test_evaluator = None
        param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=1)]
        default_hooks = dict(logger=dict(interval=1), checkpoint=dict(save_best=None))
        work_dir = {str(tmp_path / 'work')!r}
    '''))
    script = textwrap.dedent(f'''
        import sys
        from mmengine.config import Config
        from mmengine.runner import Runner
        assert 'mmaction_ext' not in sys.modules
        cfg = Config.fromfile({str(config)!r})
        assert 'mmaction_ext' in sys.modules  # imported by custom_imports
        runner = Runner.from_cfg(cfg)
        names = [type(t).__name__ for t in runner.train_dataloader.dataset.pipeline.transforms]
        assert names[0] == 'VideoInit' and 'VideoDecode' in names, names
        assert any(type(h).__name__ == 'EpochSeedHook' for h in runner.hooks)
        before = {{k: v.clone() for k, v in runner.model.state_dict().items()}}
        runner.train()
        after = runner.model.state_dict()
        changed = [k for k in before if 'weight' in k and not (before[k] == after[k]).all()]
        assert changed, 'no weight was updated'
        print('TRAINED', len(changed))
    ''')
    result = subprocess.run([sys.executable, '-c', script], cwd=str(tmp_path), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert 'TRAINED' in result.stdout
