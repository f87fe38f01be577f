"""Text banks: the tool's output against CLIP's own text encoder, the metadata, and the input errors."""
import hashlib
import json

import pytest
import torch
import torch.nn.functional as F

from helpers import load_tool
from mmaction_ext.models.layers.clip_vision import save_clip_file
from mmaction_ext.models.layers.text_bank import (ACTIONCLIP_TEMPLATES, clip_arch_of, encode_text_bank, load_clip,
                                                  load_text_bank, read_class_names, read_phrase_mapping)


def test_bank_equals_clip_text_embeddings_of_each_prompt(tiny_demo_text_bank, tiny_clip_file, tiny_motion_demo):
    import open_clip
    content = load_text_bank(tiny_demo_text_bank)
    names = read_class_names(f'{tiny_motion_demo}/classes.txt')
    assert content['bank'].shape == (4, 16, 32) and content['class_names'] == names == content['phrases']
    assert content['templates'] == ACTIONCLIP_TEMPLATES and content['normalized'] and content['clip_arch'] == 'tiny'
    with open(tiny_clip_file, 'rb') as stream:
        assert content['weights_sha256'] == hashlib.sha256(stream.read()).hexdigest()
    # Independent reference: open_clip's CLIP with the file's weights, one prompt at a time.
    state_dict = torch.load(tiny_clip_file, weights_only=True)
    reference = open_clip.model.CLIP(32, open_clip.model.CLIPVisionCfg(layers=2, width=64, patch_size=16,
                                                                        image_size=32, head_width=64),
                                     open_clip.model.CLIPTextCfg(context_length=77, vocab_size=49408, width=64,
                                                                 heads=1, layers=2), quick_gelu=True)
    reference.load_state_dict(state_dict)
    for c, t in ((0, 0), (3, 11)):
        text = ACTIONCLIP_TEMPLATES[t].format(names[c])
        expected = F.normalize(reference.encode_text(open_clip.tokenize([text])), dim=-1)[0]
        assert torch.allclose(content['bank'][c, t], expected, atol=2e-3)  # stored in fp16
    assert torch.allclose(content['bank'].norm(dim=-1), torch.ones(4, 16), atol=2e-3)


def test_phrase_mapping_templates_and_progress(tiny_clip_file, tmp_path, capsys):
    classes = tmp_path / 'classes.txt'
    classes.write_text('0 salto_backward\n1 split_jump\n')
    phrases = tmp_path / 'phrases.json'
    phrases.write_text(json.dumps({'salto_backward': 'a backward salto', 'split_jump': 'a split jump'}))
    templates = tmp_path / 'templates.txt'
    templates.write_text('a video of {}\nthe gymnast performs {}\n')
    out = tmp_path / 'bank.pth'
    load_tool('tools/build_text_bank.py').main([tiny_clip_file, str(classes), str(out), '--phrases', str(phrases),
                                                '--templates', str(templates)])
    printed = capsys.readouterr()
    assert 'text bank: 100%' in printed.err and '2 classes x 2 templates x 32' in printed.out
    content = load_text_bank(str(out))
    assert content['class_names'] == ['salto_backward', 'split_jump']
    assert content['phrases'] == ['a backward salto', 'a split jump'] and content['bank'].shape == (2, 2, 32)


def test_bad_inputs_are_named(tiny_clip_file, tmp_path):
    classes = tmp_path / 'classes.txt'
    classes.write_text('jump\nturn\n')
    mapping = tmp_path / 'phrases.tsv'
    mapping.write_text('jump\ta jump\n')
    with pytest.raises(KeyError, match=r"phrases.tsv maps no phrase for 1 classes: \['turn'\]"):
        read_phrase_mapping(str(mapping), ['jump', 'turn'])
    with pytest.raises(KeyError, match=r"maps no phrase for 1 classes: \['turn'\]"):
        load_tool('tools/build_text_bank.py').main([tiny_clip_file, str(classes), str(tmp_path / 'b.pth'),
                                                    '--phrases', str(mapping)])
    assert not (tmp_path / 'b.pth').exists()
    with pytest.raises(ValueError, match="template 'a video' must hold exactly one"):
        encode_text_bank(load_clip(tiny_clip_file), ['jump'], ['a video'])
    with pytest.raises(ValueError, match='not a text bank'):
        load_text_bank(tiny_clip_file)


def test_torchscript_clip_needs_trust_and_arch_is_inferred(tmp_path):
    from mmaction_ext.models.layers.clip_vision import build_clip
    torch.manual_seed(0)
    model = build_clip('tiny')
    path = str(tmp_path / 'tiny.pt')
    save_clip_file(model, path, torchscript=True)
    with pytest.raises(ValueError, match='trust_torchscript'):
        load_clip(path)
    loaded = load_clip(path, trust_torchscript=True)
    assert clip_arch_of(loaded.state_dict()) == 'tiny'
    tokens = torch.randint(0, 49408, (2, 77))
    assert torch.allclose(loaded.encode_text(tokens), model.eval().encode_text(tokens), atol=1e-5)
