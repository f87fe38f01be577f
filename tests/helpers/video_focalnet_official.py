"""Official-format Video-FocalNet / FocalNet checkpoints built from random tensors.

Key names and shapes are written out from the reference-implementation notes
(docs/video_focalnet.md, "Checkpoint keys"), not derived from our model, so the
converter and the inflation are tested against an independent description.
"""
import sys
import types

import torch


def official_state_dict(embed_dims=96, depths=(2, 2, 6, 2), num_classes=400, video=True, focal_level=2, seed=0):
    generator = torch.Generator().manual_seed(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=generator) * 0.02

    sd = {'patch_embed.proj.weight': rand(embed_dims, 3, 4, 4), 'patch_embed.proj.bias': rand(embed_dims),
          'patch_embed.norm.weight': 1 + rand(embed_dims), 'patch_embed.norm.bias': rand(embed_dims)}
    for i, depth in enumerate(depths):
        c = embed_dims * 2**i
        for j in range(depth):
            p = f'layers.{i}.blocks.{j}.'
            sd.update({
                p + 'norm1.weight': 1 + rand(c), p + 'norm1.bias': rand(c),
                p + 'modulation.f.weight': rand(2 * c + focal_level + 1, c),
                p + 'modulation.f.bias': rand(2 * c + focal_level + 1),
                p + 'modulation.h.weight': rand(c, c, 1, 1), p + 'modulation.h.bias': rand(c),
                p + 'modulation.proj.weight': rand(c, c), p + 'modulation.proj.bias': rand(c),
                p + 'norm2.weight': 1 + rand(c), p + 'norm2.bias': rand(c),
                p + 'mlp.fc1.weight': rand(4 * c, c), p + 'mlp.fc1.bias': rand(4 * c),
                p + 'mlp.fc2.weight': rand(c, 4 * c), p + 'mlp.fc2.bias': rand(c),
            })
            for level in range(focal_level):
                k = 2 * level + 3
                sd[p + f'modulation.focal_layers.{level}.0.weight'] = rand(c, 1, k, k)
                if video:
                    sd[p + f'modulation.focal_layers_temporal.{level}.0.weight'] = rand(c, c, k)
            if video:
                sd.update({
                    p + 'modulation.f_temporal.weight': rand(c + focal_level + 1, c),
                    p + 'modulation.f_temporal.bias': rand(c + focal_level + 1),
                    p + 'modulation.h_temporal.weight': rand(c, c, 1), p + 'modulation.h_temporal.bias': rand(c),
                })
        if i < len(depths) - 1:
            sd.update({
                f'layers.{i}.downsample.proj.weight': rand(2 * c, c, 2, 2), f'layers.{i}.downsample.proj.bias': rand(2 * c),
                f'layers.{i}.downsample.norm.weight': 1 + rand(2 * c), f'layers.{i}.downsample.norm.bias': rand(2 * c),
            })
    last = embed_dims * 2**(len(depths) - 1)
    sd.update({'norm.weight': 1 + rand(last), 'norm.bias': rand(last), 'head.weight': rand(num_classes, last),
               'head.bias': rand(num_classes)})
    return sd


def make_fake_yacs():
    """A stand-in ``yacs.config.CfgNode`` with yacs's pickled structure (a dict subclass whose
    ``__dict__`` holds ``__immutable__``, ``__deprecated_keys__``, ``__renamed_keys__``,
    ``__new_allowed__``). Returns the class and a function that unregisters the modules."""
    yacs, config = types.ModuleType('yacs'), types.ModuleType('yacs.config')

    class CfgNode(dict):

        def __init__(self, init_dict=None):
            super().__init__(init_dict or {})
            self.__dict__.update({'__immutable__': False, '__deprecated_keys__': set(), '__renamed_keys__': {},
                                  '__new_allowed__': False})

    CfgNode.__module__, CfgNode.__qualname__ = 'yacs.config', 'CfgNode'
    config.CfgNode, yacs.config = CfgNode, config
    sys.modules['yacs'], sys.modules['yacs.config'] = yacs, config

    def remove():
        sys.modules.pop('yacs', None)
        sys.modules.pop('yacs.config', None)

    return CfgNode, remove


def save_official_checkpoint(path, state_dict, with_config=True):
    """As the official ``save_checkpoint``: model, optimizer, lr_scheduler, max_accuracy, epoch, config."""
    payload = {'model': state_dict, 'optimizer': {'state': {}, 'param_groups': [{'lr': 6.25e-3, 'params': [0]}]},
               'lr_scheduler': {'t_initial': 120}, 'max_accuracy': 79.8, 'epoch': 119}
    remove = None
    if with_config:
        CfgNode, remove = make_fake_yacs()
        payload['config'] = CfgNode({'MODEL': CfgNode({'TYPE': 'video-focalnet', 'NUM_CLASSES': 400}),
                                     'DATA': CfgNode({'NUM_FRAMES': 8, 'IMG_SIZE': 224})})
    try:
        torch.save(payload, path)
    finally:
        if remove is not None:
            remove()
