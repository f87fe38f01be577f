"""Where a model looks, for every model of the package in one tool: each paper's own map, or MMAction2's Grad-CAM.

    python tools/visualize_attention.py CONFIG CHECKPOINT VIDEO OUT.png|OUT.mp4 [--method auto|gradcam]
                                        [--target-layer backbone/layer4/1/relu] [--cfg-options k=v ...]

``--method auto`` picks the model's map:

=====================  ==================================================================================
Video-FocalNet         the spatial and temporal modulators' magnitude (mean over channels of |h(z)|), the last
                       block of each stage
UniFormer-EMIM         the displacement read from the first EMIM block's affinity (arrows) and its magnitude
FocusVideo             the class token's and the first action queries' attention over each frame
ART                    each region query's tracklet: attention over the frame and its box
CSA (tube mode)        the most confident actor's box and its top classes' attention, on every frame of the
                       first clip
any other recognizer   Grad-CAM (as ``--method gradcam``)
=====================  ==================================================================================

``--method gradcam`` runs MMAction2's ``GradCAM`` on any 3D recognizer at ``--target-layer`` (default
``backbone/layer4/1/relu`` for ResNet3d backbones). CHECKPOINT may be ``none``. One clip of the config's test
pipeline is drawn (its first view). ``.png``: a grid, one row per map, one column per frame; ``.mp4``: the
maps side by side, one video frame per clip frame.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout too

from mmengine.config import DictAction  # noqa: E402

import mmaction_ext  # noqa: E402,F401  (applies compat fixes, registers modules)
from mmaction_ext.engine import parse_tool_args, run_tool  # noqa: E402

ANALYSIS = osp.join(osp.dirname(osp.abspath(__file__)), 'analysis')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Draw where a model looks on a video')
    parser.add_argument('config')
    parser.add_argument('checkpoint', help="checkpoint file, or 'none'")
    parser.add_argument('video', help='a video file or a folder of numbered frames')
    parser.add_argument('out', help='.png (a grid) or .mp4 (an overlay video)')
    parser.add_argument('--method', choices=('auto', 'gradcam'), default='auto')
    parser.add_argument('--target-layer', help='Grad-CAM layer, e.g. backbone/layer4/1/relu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--local_rank', type=int, default=0)
    return parse_tool_args(parser, argv)


def analysis_tool(name):
    """A per-paper tool of tools/analysis/, whose map functions this tool reuses."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, osp.join(ANALYSIS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------ drawing
def heat_overlay(frames, maps, boxes=None):
    """``frames (T, H, W, 3)`` uint8 with ``maps (T', h, w)`` (each frame's map scaled to [0, 1], JET, half
    blended; ``T'`` frames spread over ``T``) and optional ``boxes (T, 4)`` in pixels: ``(T, H, W, 3)`` uint8."""
    import cv2
    import numpy as np
    frames = np.asarray(frames)
    maps = np.asarray(maps, np.float32)
    out = []
    for t, frame in enumerate(frames):
        heat = maps[min(t * len(maps) // len(frames), len(maps) - 1)]
        heat = heat - heat.min()
        heat = heat / max(float(heat.max()), 1e-12)
        heat = cv2.resize(heat, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_LINEAR)
        colour = cv2.applyColorMap((255 * heat).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1]
        blended = cv2.addWeighted(np.ascontiguousarray(frame), 0.5, colour, 0.5, 0)
        if boxes is not None:
            x1, y1, x2, y2 = (int(round(float(v))) for v in boxes[t])
            cv2.rectangle(blended, (x1, y1), (max(x1, x2 - 1), max(y1, y2 - 1)), (255, 255, 255), 1)
        out.append(blended)
    return np.stack(out)


def write_panels(panels, out, fps=4):
    """``panels``: ``[(title, frames (T, H, W, 3) uint8 RGB)]`` as a PNG grid (rows: panels, columns: frames) or
    an MP4 (panels side by side); small frames are enlarged to at least 160 px."""
    import cv2
    import numpy as np
    height = panels[0][1].shape[1]
    scale = max(1, -(-160 // height))

    def titled(image, title):
        image = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        bar = np.full((16, image.shape[1], 3), 255, np.uint8)
        cv2.putText(bar, title[:max(1, image.shape[1] // 7)], (2, 12), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (0, 0, 0), 1,
                    cv2.LINE_AA)
        return np.concatenate([bar, image], 0)

    frames = len(panels[0][1])
    if out.lower().endswith('.png'):
        rows = [np.concatenate([titled(frames_[t], f'{title} t={t}') for t in range(frames)], 1)
                for title, frames_ in panels]
        if not cv2.imwrite(out, np.concatenate(rows, 0)[..., ::-1]):
            raise ValueError(f'could not write {out} (a .png path in an existing folder?)')
        return
    images = [np.concatenate([titled(frames_[t], title) for title, frames_ in panels], 1) for t in range(frames)]
    height, width = images[0].shape[:2]
    writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps, (width, height))
    if not writer.isOpened():
        raise ValueError(f'OpenCV cannot write {out} (an .mp4 path in an existing folder?)')
    for image in images:
        writer.write(np.ascontiguousarray(image[..., ::-1]))
    writer.release()


def clip_frames(packed):
    """The first view's frames ``(T, H, W, 3)`` uint8 of a packed batch of one sample."""
    import torch
    view = packed['inputs'][0].reshape((-1, ) + packed['inputs'][0].shape[-4:])[0]  # (3, T, H, W)
    return view.permute(1, 2, 3, 0).to(torch.uint8).numpy()


# ------------------------------------------------------------------ one function per model type
def video_focalnet_maps(model, packed):
    """Per stage, the last block's spatial modulator ``h(z)`` and temporal modulator magnitudes."""
    import torch
    from mmaction_ext.models.layers import SpatioTemporalFocalModulation
    stages = model.backbone.layers
    captured, handles = {}, []
    for index, stage in enumerate(stages):
        modulation = [m for m in stage.modules() if isinstance(m, SpatioTemporalFocalModulation)][-1]

        def spatial(module, args, output, index=index):
            captured[('spatial', index)] = output.abs().mean(1)  # (B*T, H, W)

        def temporal(module, args, output, index=index, modulation=modulation):
            frames = modulation.num_frames
            height, width = captured[('spatial', index)].shape[-2:]
            magnitude = output.abs().mean(1)  # (B*H*W, T)
            captured[('temporal', index)] = magnitude.reshape(-1, height * width, frames).transpose(1, 2).reshape(
                -1, height, width)
        handles.append(modulation.h.register_forward_hook(spatial))
        if modulation.temporal:
            handles.append(modulation.h_temporal.register_forward_hook(temporal))
    try:
        with torch.no_grad():
            data = model.data_preprocessor(packed, False)
            model.backbone(data['inputs'].reshape((-1, ) + data['inputs'].shape[-4:])[:1])
    finally:
        for handle in handles:
            handle.remove()
    frames = clip_frames(packed)
    panels = []
    for (kind, index), maps in sorted(captured.items(), key=lambda item: (item[0][1], item[0][0])):
        panels.append((f'stage {index + 1} {kind}', heat_overlay(frames, maps)))
    return panels


def emim_maps(model, packed):
    """The first EMIM block's displacement field (arrows) and its magnitude."""
    import numpy as np
    import torch
    tool = analysis_tool('emim_displacement')
    frames, offsets, block = tool.displacement(model, packed, None)  # offsets (T', h, w, 2) in tokens
    frames = frames.to(torch.uint8).numpy()
    arrows = [tool.draw_arrows(np.ascontiguousarray(frame.copy()),
                               offsets[min(t * offsets.shape[0] // len(frames), offsets.shape[0] - 1)],
                               (255, 255, 0))  # yellow (RGB)
              for t, frame in enumerate(frames)]
    magnitude = torch.linalg.norm(offsets, dim=-1)
    return [(f'{block} displacement', np.stack(arrows)), (f'{block} |displacement|', heat_overlay(frames, magnitude))]


def focusvideo_maps(model, packed, queries=3):
    """The class token's and the first ``queries`` action queries' attention (last propagation block)."""
    tool = analysis_tool('focusvideo_query_attention')
    frames, maps = tool.query_attention(model, packed, -1)
    frames = frames.numpy()
    count = min(queries, maps.shape[1] - 1)
    return [('class token' if k == 0 else f'query {k - 1}', heat_overlay(frames, maps[:, k])) for k in range(count + 1)]


def art_maps(model, packed):
    """Each region query's tracklet: attention over the frame with its box."""
    tool = analysis_tool('art_tracklets')
    frames, maps, classes = tool.region_attention(model, packed)
    boxes = tool.attention_boxes(maps, frames.shape[1:3])
    frames = frames.numpy()
    return [(f'tracklet {k}', heat_overlay(frames, maps[:, k], boxes[:, k])) for k in range(maps.shape[1])]


def csa_maps(model, source, top_classes=2):
    """The first clip: the most confident actor's box, and its top classes' attention in every frame."""
    import torch

    from mmaction_ext.apis import detector_clips
    _, packed = next(detector_clips(model, source))
    model.test_cfg['class_attention'] = True
    with torch.no_grad():
        data = model.data_preprocessor(packed, False)
        result = model(data['inputs'], data['data_samples'], mode='predict')[0]
    pred = result.pred_instances
    frames = clip_frames(packed)
    actor = int(pred.actor_scores.sum(1).argmax())
    height, width = frames.shape[1:3]
    gt_h, gt_w = result.metainfo['gt_resolution']
    boxes = pred.bboxes[actor] * pred.bboxes.new_tensor([width / gt_w, height / gt_h] * 2)  # (T, 4) in the clip
    classes = pred.scores[actor].sum(0).argsort(descending=True)[:top_classes].tolist()
    names = (getattr(model, 'dataset_meta', None) or {}).get('classes') or []
    return [(f'actor {actor}: {names[c] if c < len(names) else f"class {c}"}',
             heat_overlay(frames, pred.class_attention[actor, :, c], boxes)) for c in classes]


def gradcam_maps(model, packed, target_layer):
    """MMAction2's Grad-CAM of the top class at ``target_layer`` (first view)."""
    import numpy as np
    from mmaction.utils import GradCAM
    if target_layer is None:
        if type(model.backbone).__name__.startswith('ResNet3d'):
            target_layer = 'backbone/layer4/1/relu'
        else:
            raise ValueError(f'--method gradcam on a {type(model.backbone).__name__}: name the layer with '
                             '--target-layer (e.g. backbone/blocks3/0)')
    try:
        gradcam = GradCAM(model, target_layer)
    except AttributeError as error:
        raise ValueError(f'--target-layer {target_layer}: no such layer in the model ({error})') from None
    packed = dict(inputs=[inputs[:1] for inputs in packed['inputs']], data_samples=packed['data_samples'])
    blended, _ = gradcam(packed)
    return [(f'Grad-CAM {target_layer}', (255 * blended[0].detach().numpy()).clip(0, 255).astype(np.uint8))]


def model_kind(model) -> str:
    from mmaction_ext.models.backbones import FocusVideoCLIP, UniFormerEMIM, VideoFocalNet
    from mmaction_ext.models.detectors import CSADetector
    from mmaction_ext.models.heads import ARTHead
    if isinstance(model, CSADetector):
        return 'csa'
    backbone, head = getattr(model, 'backbone', None), getattr(model, 'cls_head', None)
    if isinstance(head, ARTHead) and head.rssa_enabled:
        return 'art'
    if isinstance(backbone, FocusVideoCLIP):
        return 'focusvideo'
    if isinstance(backbone, UniFormerEMIM):
        return 'emim'
    if isinstance(backbone, VideoFocalNet):
        return 'video_focalnet'
    return 'gradcam'


def main(argv=None):
    args = parse_args(argv)
    from mmaction_ext.apis import VideoSource, init_model, recognizer_batch
    if not args.out.lower().endswith(('.png', '.mp4')):
        raise ValueError(f'{args.out}: write a .png (grid) or an .mp4 (overlay)')
    model = init_model(args.config, args.checkpoint, cfg_options=args.cfg_options)
    source = VideoSource(args.video)
    kind = 'gradcam' if args.method == 'gradcam' else model_kind(model)
    if kind == 'csa':
        if model.mode != 'tube':
            raise ValueError('the CSA map runs in tube mode (JHMDB / UCF101-24 configs); for AVA keyframes use '
                             'tools/analysis/csa_class_attention.py on the test dataset')
        panels = csa_maps(model, source)
    else:
        packed = recognizer_batch(model, source)
        if kind == 'gradcam':
            panels = gradcam_maps(model, packed, args.target_layer)
        else:
            panels = dict(video_focalnet=video_focalnet_maps, emim=emim_maps, focusvideo=focusvideo_maps,
                          art=art_maps)[kind](model, packed)
    write_panels(panels, args.out)
    print(f'{kind}: {len(panels)} map(s) x {len(panels[0][1])} frames ({", ".join(t for t, _ in panels)}); '
          f'wrote {args.out}')
    return kind, panels


if __name__ == '__main__':
    run_tool(main)
