"""State dicts in the layout of CSA's released checkpoints (``class-query-vad``'s ``DETR`` module), generated
from that code's module structure as the research notes describe it (names and shapes), with random values:
what ``tools/convert/csa_official.py`` must read."""
from collections import OrderedDict

import torch


def _linear(sd, name, fan_in, fan_out, gen, bias=True):
    sd[f'{name}.weight'] = torch.randn(fan_out, fan_in, generator=gen)
    if bias:
        sd[f'{name}.bias'] = torch.randn(fan_out, generator=gen)


def _norm(sd, name, dims, gen):
    sd[f'{name}.weight'] = torch.randn(dims, generator=gen)
    sd[f'{name}.bias'] = torch.randn(dims, generator=gen)


def _mlp(sd, name, dims, gen):
    for index, (fan_in, fan_out) in enumerate(dims):
        _linear(sd, f'{name}.layers.{index}', fan_in, fan_out, gen)


def transformer_state_dict(d, ffn, heads, levels, points, enc_layers, dec_layers, num_classes, anchors, gen):
    sd = OrderedDict()
    sd['transformer.level_embed'] = torch.randn(levels, d, generator=gen)
    for i in range(enc_layers):
        p = f'transformer.encoder.layers.{i}'
        _linear(sd, f'{p}.self_attn.sampling_offsets', d, heads * levels * points * 3, gen)
        _linear(sd, f'{p}.self_attn.attention_weights', d, heads * levels * points, gen)
        _linear(sd, f'{p}.self_attn.value_proj', d, d, gen)
        _linear(sd, f'{p}.self_attn.output_proj', d, d, gen)
        _norm(sd, f'{p}.norm1', d, gen)
        _linear(sd, f'{p}.linear1', d, ffn, gen)
        _linear(sd, f'{p}.linear2', ffn, d, gen)
        _norm(sd, f'{p}.norm2', d, gen)
    for i in range(dec_layers):
        p = f'transformer.decoder.layers.{i}'
        for name in ('sa_qcontent_proj', 'sa_qpos_proj', 'sa_kcontent_proj', 'sa_kpos_proj', 'sa_v_proj',
                     'self_attn.out_proj', 'ca_qcontent_proj', 'ca_qpos_proj', 'ca_kcontent_proj', 'ca_kpos_proj',
                     'ca_v_proj', 'ca_qpos_sine_proj', 'cross_attn.out_proj'):
            _linear(sd, f'{p}.{name}', d, d, gen)
        _norm(sd, f'{p}.norm1', d, gen)
        _linear(sd, f'{p}.lvl_w_embed', d, levels, gen)
        _linear(sd, f'{p}.linear1', d, ffn, gen)
        _linear(sd, f'{p}.linear2', ffn, d, gen)
        for name in ('norm2', 'norm3', 'norm_'):
            _norm(sd, f'{p}.{name}', d, gen)
        c = f'transformer.decoder.cls_layers.{i}'
        _linear(sd, f'{c}.cls_linear1', d, ffn, gen)
        _linear(sd, f'{c}.cls_linear2', ffn, d, gen)
        _norm(sd, f'{c}.cls_norm', d, gen)
        _norm(sd, f'{c}.conv_norm', d, gen)
        block = OrderedDict()
        block['conv1.weight'] = torch.randn(d, d, 3, 3, generator=gen)
        block['conv1.bias'] = torch.randn(d, generator=gen)
        _norm(block, 'norm', d, gen)
        _linear(block, 'conv2', d, 4 * d, gen)
        _linear(block, 'conv3', 4 * d, d, gen)
        for repeat in range(3):  # one module listed three times: the same tensors under three names
            sd.update({f'{c}.conv_blocks.{repeat}.{k}': v for k, v in block.items()})
        _linear(sd, f'{c}.self_attn.out_proj', d, d, gen)
        _norm(sd, f'{c}.norm1', d, gen)
        _linear(sd, f'{c}.q_proj', d, d, gen)
        for name in ('k_proj', 'v_proj'):
            sd[f'{c}.{name}.weight'] = torch.randn(d, d, 1, 1, generator=gen)
            sd[f'{c}.{name}.bias'] = torch.randn(d, generator=gen)
        _linear(sd, f'{c}.cls_qpos_sine_proj', d, d, gen)
        _linear(sd, f'{c}.cross_attn.out_proj', d, d, gen)
        _linear(sd, f'{c}.cls_linear1_', d, ffn, gen)
        _linear(sd, f'{c}.cls_linear2_', ffn, d, gen)
        _norm(sd, f'{c}.cls_norm_', d, gen)
    _mlp(sd, 'transformer.decoder.query_scale', [(d, d), (d, d)], gen)
    _mlp(sd, 'transformer.decoder.ref_point_head', [(2 * d, d), (d, d)], gen)
    _mlp(sd, 'transformer.decoder.ref_anchor_head', [(d, d), (d, 2)], gen)
    _norm(sd, 'transformer.decoder.norm', d, gen)
    _norm(sd, 'transformer.decoder.cls_norm', d, gen)
    _norm(sd, 'transformer.decoder.cls_norm2', d, gen)
    sd['transformer.decoder.class_queries.weight'] = torch.randn(num_classes, d, generator=gen)
    bbox = OrderedDict()
    _mlp(bbox, 'bbox_embed', [(d, d), (d, d), (d, 4)], gen)
    sd.update(bbox)
    sd.update({'transformer.decoder.' + k: v for k, v in bbox.items()})  # the decoder holds the same module
    sd['refpoint_embed.weight'] = torch.randn(anchors, 4, generator=gen)
    _linear(sd, 'class_embed_b', d, 3, gen)
    return sd


def vit_state_dict(embed, depth, d, gen, tubelet=2, patch=16):
    sd = OrderedDict()
    b = 'backbone.0.body'
    sd[f'{b}.patch_embed.proj.weight'] = torch.randn(embed, 3, tubelet, patch, patch, generator=gen)
    sd[f'{b}.patch_embed.proj.bias'] = torch.randn(embed, generator=gen)
    for i in range(depth):
        p = f'{b}.blocks.{i}'
        _norm(sd, f'{p}.norm1', embed, gen)
        sd[f'{p}.attn.qkv.weight'] = torch.randn(3 * embed, embed, generator=gen)
        sd[f'{p}.attn.q_bias'] = torch.randn(embed, generator=gen)
        sd[f'{p}.attn.v_bias'] = torch.randn(embed, generator=gen)
        _linear(sd, f'{p}.attn.proj', embed, embed, gen)
        _norm(sd, f'{p}.norm2', embed, gen)
        _linear(sd, f'{p}.mlp.fc1', embed, 4 * embed, gen)
        _linear(sd, f'{p}.mlp.fc2', 4 * embed, embed, gen)
    _norm(sd, f'{b}.norm', embed, gen)
    # ViTDet pyramid (x4, x2, x1, x1/2): Sequential indices as built there
    lat = 'backbone.0.lateral_convs'
    up = lambda name, cin, cout: sd.update({f'{name}.weight': torch.randn(cin, cout, 1, 2, 2, generator=gen),  # noqa
                                            f'{name}.bias': torch.randn(cout, generator=gen)})
    up(f'{lat}.0.0', embed, embed // 2)
    _norm(sd, f'{lat}.0.1', embed // 2, gen)
    up(f'{lat}.0.3', embed // 2, embed // 4)
    up(f'{lat}.1.0', embed, embed // 2)
    for level, (first, dim) in enumerate([(4, embed // 4), (1, embed // 2), (0, embed), (1, embed)]):
        sd[f'{lat}.{level}.{first}.weight'] = torch.randn(d, dim, 1, 1, 1, generator=gen)
        _norm(sd, f'{lat}.{level}.{first + 1}', d, gen)
        sd[f'{lat}.{level}.{first + 2}.weight'] = torch.randn(d, d, 3, 3, 3, generator=gen)
    return sd


def csn_state_dict(blocks, d, gen, base=64):
    """ircsn trunk (``conv1``/``bn1``; bottlenecks ``conv1``, ``conv3`` depthwise 3x3x3, ``conv4``,
    ``down_sample``) with the code's ``Affine`` norms (the released CSN-152 uses them), and ``input_proj``
    (layers 2-4 + one extra level)."""
    sd = OrderedDict()
    b = 'backbone.0.body'

    def bn(name, channels):  # the code's Affine: a (C, 1, 1, 1) weight and bias
        sd[f'{name}.weight'] = torch.rand(channels, 1, 1, 1, generator=gen) + 0.5
        sd[f'{name}.bias'] = torch.randn(channels, 1, 1, 1, generator=gen)

    sd[f'{b}.conv1.weight'] = torch.randn(base, 3, 3, 7, 7, generator=gen)
    bn(f'{b}.bn1', base)
    in_planes = base
    outs = []
    for layer, (count, planes) in enumerate(zip(blocks, [base, 2 * base, 4 * base, 8 * base]), 1):
        for index in range(count):
            p = f'{b}.layer{layer}.{index}'
            sd[f'{p}.conv1.weight'] = torch.randn(planes, in_planes, 1, 1, 1, generator=gen)
            bn(f'{p}.bn1', planes)
            sd[f'{p}.conv3.weight'] = torch.randn(planes, 1, 3, 3, 3, generator=gen)
            bn(f'{p}.bn3', planes)
            sd[f'{p}.conv4.weight'] = torch.randn(planes * 4, planes, 1, 1, 1, generator=gen)
            bn(f'{p}.bn4', planes * 4)
            if index == 0:
                sd[f'{p}.down_sample.0.weight'] = torch.randn(planes * 4, in_planes, 1, 1, 1, generator=gen)
                bn(f'{p}.down_sample.1', planes * 4)
            in_planes = planes * 4
        outs.append(in_planes)
    for index, channels in enumerate(outs[1:]):
        sd[f'input_proj.{index}.0.weight'] = torch.randn(d, channels, 1, 1, 1, generator=gen)
        sd[f'input_proj.{index}.0.bias'] = torch.randn(d, generator=gen)
        _norm(sd, f'input_proj.{index}.1', d, gen)
    sd['input_proj.3.0.weight'] = torch.randn(d, outs[-1], 3, 3, 3, generator=gen)
    sd['input_proj.3.0.bias'] = torch.randn(d, generator=gen)
    _norm(sd, 'input_proj.3.1', d, gen)
    return sd
