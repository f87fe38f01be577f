"""The online motion demo's cost: drawing a training batch against a training step of each tiny demo model."""
import statistics
import time

from . import Case, Variant, Workload, register_case

BATCH = 8
CONFIGS = {
    'MMAction2 ResNet3d-18 w16': 'configs/demo/r3d_r18-w16_scratch_1xb8-20e_8x2x1_motion-demo-online.py',
    'tiny Video-FocalNet': 'configs/video_focalnet/videofocalnet_tiny-w24_scratch_1xb8-30e_8x2x1_motion-demo-online.py',
    'tiny UniFormer-EMIM': 'configs/emim/uniformer-emim_tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
    'tiny UniFormerV2 + ART head': 'configs/art/art-baseline_uniformerv2-tiny_scratch_1xb8-8e_8x2x1_motion-demo-online.py',
    'tiny CLIP-style ViT (FocusVideo stage 1)':
    'configs/focusvideo/clip-vit_tiny_scratch_1xb8-10e_8x2x1_motion-demo-online.py',
}


def _step_variant(config_path):

    def build(quick=False):
        import os.path as osp

        import torch
        from mmengine.config import Config
        from mmengine.dataset import pseudo_collate
        from mmengine.optim import build_optim_wrapper
        from mmengine.registry import init_default_scope

        import mmaction_ext  # noqa: F401  (registers the modules)
        from mmaction.registry import DATASETS, MODELS
        init_default_scope('mmaction')
        repo = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
        cfg = Config.fromfile(osp.join(repo, config_path))
        if cfg.model.get('cls_head', {}).get('text_bank'):  # ART: a bank of random class embeddings suffices here
            cfg.model.cls_head.text_bank = None
            cfg.model.cls_head.pop('num_prompts', None)
        dataset_cfg = cfg.train_dataloader.dataset
        dataset = DATASETS.build(dict(dataset_cfg, clips_per_class=BATCH))
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        model.init_weights()
        model.train()
        cfg.optim_wrapper.pop('type', None)
        optim_wrapper = build_optim_wrapper(model, dict(type='OptimWrapper', **cfg.optim_wrapper))
        counter = iter(range(10**9))

        def render():  # what the dataloader workers do for one batch: draw the clips, run the training pipeline
            start = next(counter) * BATCH
            return pseudo_collate([dataset[start + i] for i in range(BATCH)])

        batch = model.data_preprocessor(render(), training=True)

        def step():
            losses = model(**batch, mode='loss')
            optim_wrapper.update_params(sum(v for k, v in losses.items() if k.startswith('loss')))

        def report():
            times = []
            for _ in range(5):
                start = time.perf_counter()
                render()
                times.append(time.perf_counter() - start)
            step_times = []
            for _ in range(3):
                start = time.perf_counter()
                step()
                step_times.append(time.perf_counter() - start)
            fraction = statistics.median(times) / statistics.median(step_times)
            return f'render {statistics.median(times) * 1000:.0f} ms/batch = {fraction:.2f} of a step'

        return Workload(step=step, unit='step', report=report)

    return Variant(build=build)


register_case('demo_rendering', Case(
    description='One training step (batch 8, 8 frames at 80 px, forward, backward, the config\'s optimizer) of '
    'each tiny demo model against MMAction2\'s ResNet3d-18 demo peer; the result column: drawing one training '
    'batch of the online motion demo (8 clips, 8 of 32 frames each at 112 px, the training pipeline) in the same '
    'process and thread count, as a fraction of that model\'s step. The dataloader workers draw batches while the '
    'model trains. Target: fraction <= 0.25.',
    peer='MMAction2 ResNet3d-18 w16',
    variants={name: _step_variant(path) for name, path in CONFIGS.items()},
    repeats=10, warmup=2))
