"""Text banks: CLIP text embeddings of every class under several prompt templates, written once by
``tools/build_text_bank.py`` and read by models as a buffer (the text tower is not needed to train).

A bank file is a ``torch.save`` dict (read back through the package's safe loader)::

    bank            Tensor (N_class, N_prom, C_t) float16, each row L2-normalised when ``normalized``
    class_names     list[str]  the dataset's class names, in label order
    phrases         list[str]  what was put into the templates (Sec. III-E of ART: class -> action phrase)
    templates       list[str]  N_prom templates with one ``{}``
    clip_arch       str        the CLIP architecture of the text tower
    weights_sha256  str        sha256 of the CLIP weights file
    normalized      bool
    format          str        ``BANK_FORMAT``
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from mmaction_ext.fileio import load_checkpoint_safely

from .clip_vision import CLIP_TEXT_ARCHS, build_clip, clip_vision_arch, read_clip_state_dict

BANK_FORMAT = 'mmaction_ext.text_bank/1'

# ActionCLIP's 16 prompt templates (Wang et al. 2021, as in MMAction2's projects/actionclip), ART's
# N_prom default: re-typed as data.
ACTIONCLIP_TEMPLATES: List[str] = [
    'a photo of action {}', 'a picture of action {}', 'Human action of {}', '{}, an action',
    '{} this is an action', '{}, a video of action', 'Playing action of {}', '{}',
    'Playing a kind of action, {}', 'Doing a kind of action, {}', 'Look, the human is {}',
    'Can you recognize the action of {}?', 'Video classification of {}', 'A video of {}', 'The man is {}',
    'The woman is {}',
]


def file_sha256(filename: str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(filename, 'rb') as stream:
        for block in iter(lambda: stream.read(chunk), b''):
            digest.update(block)
    return digest.hexdigest()


def read_class_names(filename: str) -> List[str]:
    """Class names, one per line in label order (MMAction2's label-map files); a leading ``<index> `` or
    ``<index>,`` on a line is dropped when every line has one."""
    if not osp.isfile(filename):
        raise FileNotFoundError(f'class-name file {filename} can not be found')
    with open(filename, encoding='utf-8') as stream:
        lines = [line.strip() for line in stream if line.strip()]
    if not lines:
        raise ValueError(f'{filename} holds no class names')
    split = [line.replace(',', ' ', 1).split(None, 1) for line in lines]
    if all(len(parts) == 2 and parts[0].isdigit() for parts in split):
        indices = [int(parts[0]) for parts in split]
        if indices != list(range(indices[0], indices[0] + len(indices))):
            raise ValueError(f'{filename}: the leading class indices are not consecutive: {indices[:8]}...')
        lines = [parts[1].strip() for parts in split]
    return lines


def read_phrase_mapping(filename: str, class_names: Sequence[str]) -> List[str]:
    """Class -> action phrase (ART Sec. III-E) from a JSON object or ``class<TAB>phrase`` lines; every class
    must be mapped (the error names the missing ones and the file)."""
    if not osp.isfile(filename):
        raise FileNotFoundError(f'phrase mapping {filename} can not be found')
    with open(filename, encoding='utf-8') as stream:
        text = stream.read()
    if filename.endswith('.json'):
        mapping = json.loads(text)
        if not isinstance(mapping, dict):
            raise ValueError(f'{filename}: expected a JSON object class -> phrase, got {type(mapping).__name__}')
    else:
        mapping = {}
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            if '\t' not in line:
                raise ValueError(f'{filename}:{number}: expected "class<TAB>phrase", got {line!r}')
            name, phrase = line.split('\t', 1)
            mapping[name.strip()] = phrase.strip()
    missing = [name for name in class_names if name not in mapping]
    if missing:
        raise KeyError(f'{filename} maps no phrase for {len(missing)} classes: {missing[:8]}')
    return [str(mapping[name]) for name in class_names]


def clip_arch_of(state_dict: Mapping[str, torch.Tensor]) -> str:
    """The name in :data:`CLIP_TEXT_ARCHS` whose towers have the shapes of a whole-CLIP ``state_dict``."""
    if 'token_embedding.weight' not in state_dict or 'visual.conv1.weight' not in state_dict:
        raise KeyError('not a whole CLIP state_dict (token_embedding.weight and visual.conv1.weight expected)')
    text_width = state_dict['token_embedding.weight'].shape[1]
    text_layers = len({key.split('.')[2] for key in state_dict if key.startswith('transformer.resblocks.')})
    vision_width, _, patch, _ = state_dict['visual.conv1.weight'].shape
    grid = round((state_dict['visual.positional_embedding'].shape[0] - 1)**0.5)
    for name, text in CLIP_TEXT_ARCHS.items():
        vision = clip_vision_arch(name)
        if (text['width'], text['layers'], vision['width'], vision['patch_size']) == (
                text_width, text_layers, vision_width, patch) and vision['image_size'] == grid * patch:
            return name
    raise ValueError(f'no known CLIP arch has text width {text_width}, {text_layers} text layers, vision width '
                     f'{vision_width}, patch {patch}, {grid * patch} px; known: {sorted(CLIP_TEXT_ARCHS)}')


def load_clip(filename: str, arch: Optional[str] = None, trust_torchscript: bool = False) -> nn.Module:
    """A whole open_clip ``CLIP`` with the weights of a local file (OpenAI ``.pt`` with
    ``trust_torchscript``, or a state_dict), ``arch`` inferred from the shapes unless given."""
    state_dict = read_clip_state_dict(filename, trust_torchscript)
    arch = arch or clip_arch_of(state_dict)
    model = build_clip(arch)
    for key in ('input_resolution', 'context_length', 'vocab_size', 'attn_mask'):  # extras of TorchScript files
        state_dict.pop(key, None)
    missing, unexpected = model.load_state_dict(state_dict, strict=False)
    if missing or unexpected:
        raise ValueError(f'{filename} is not a CLIP {arch}: missing {sorted(missing)[:6]}, '
                         f'unexpected {sorted(unexpected)[:6]}')
    return model.eval()


@torch.no_grad()
def encode_text_bank(model: nn.Module, phrases: Sequence[str], templates: Sequence[str], batch_size: int = 256,
                     progress: bool = True) -> torch.Tensor:
    """``(N_class, N_prom, C_t)`` L2-normalised CLIP text embeddings of ``template.format(phrase)``.

    ``model`` is an open_clip ``CLIP`` (:func:`load_clip`); texts are tokenised by open_clip's BPE tokenizer
    (77-token context, longer prompts truncated as CLIP does).
    """
    import open_clip
    for template in templates:
        if template.count('{}') != 1:
            raise ValueError(f'template {template!r} must hold exactly one "{{}}"')
    texts = [template.format(phrase) for phrase in phrases for template in templates]
    outputs = []
    batches = range(0, len(texts), batch_size)
    if progress:
        from tqdm import tqdm
        batches = tqdm(batches, desc='text bank', unit='batch')
    for start in batches:
        tokens = open_clip.tokenize(texts[start:start + batch_size])
        outputs.append(F.normalize(model.encode_text(tokens).float(), dim=-1))
    return torch.cat(outputs).reshape(len(phrases), len(templates), -1)


def save_text_bank(filename: str, bank: torch.Tensor, class_names: Sequence[str], phrases: Sequence[str],
                   templates: Sequence[str], clip_arch: str, weights_sha256: str) -> None:
    if bank.shape[:2] != (len(class_names), len(templates)):
        raise ValueError(f'bank {tuple(bank.shape)} does not match {len(class_names)} classes x '
                         f'{len(templates)} templates')
    os.makedirs(osp.dirname(osp.abspath(filename)), exist_ok=True)
    torch.save(dict(bank=bank.half(), class_names=list(class_names), phrases=list(phrases),
                    templates=list(templates), clip_arch=clip_arch, weights_sha256=weights_sha256, normalized=True,
                    format=BANK_FORMAT), filename)


def load_text_bank(filename: str) -> Dict:
    """A bank file of :func:`save_text_bank`, read with the safe loader; ``bank`` as float32."""
    content = load_checkpoint_safely(filename, map_location='cpu')
    if not isinstance(content, dict) or content.get('format') != BANK_FORMAT:
        raise ValueError(f'{filename} is not a text bank written by tools/build_text_bank.py '
                         f'(format {BANK_FORMAT!r} expected)')
    bank = content['bank']
    if bank.dim() != 3 or bank.shape[0] != len(content['class_names']) or bank.shape[1] != len(content['templates']):
        raise ValueError(f'{filename}: bank {tuple(bank.shape)} is not (classes={len(content["class_names"])}, '
                         f'templates={len(content["templates"])}, C_t)')
    return dict(content, bank=bank.float())
