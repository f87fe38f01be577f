"""ART's text bank before and after task-specific fine-tuning (paper Fig. 6): t-SNE of every (class, template)
embedding of S^0 (the bank file) and of the fine-tuned S (a checkpoint), coloured by class, side by side.

    python tools/analysis/art_text_bank_tsne.py BANK_FILE CHECKPOINT OUT.png [--perplexity 10] [--seed 0]

Both are also scored by the ratio of the mean distance between class centres to the mean distance of a class's
embeddings to their centre (cosine space): larger is more separated, what Fig. 6 shows by eye.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))  # run from a checkout too

import mmaction_ext  # noqa: E402,F401
from mmaction_ext.engine import run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('bank', help='the S^0 bank file (tools/build_text_bank.py)')
    parser.add_argument('checkpoint', help='a trained ART checkpoint (cls_head.semantic_bank.bank)')
    parser.add_argument('out', help='PNG file to write')
    parser.add_argument('--key', default='cls_head.semantic_bank.bank', help='the bank in the checkpoint')
    parser.add_argument('--perplexity', type=float, default=10.0)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def separation(bank):
    """Mean distance between class centres / mean distance of the embeddings to their class centre, on
    L2-normalised embeddings ``(N_class, N_prom, C_t)``."""
    import torch
    import torch.nn.functional as F
    unit = F.normalize(bank.float(), dim=-1)
    centres = unit.mean(dim=1)
    spread = (unit - centres[:, None]).norm(dim=-1).mean()
    between = torch.pdist(centres).mean()
    return float(between / spread.clamp(min=1e-12))


def embed(bank, perplexity, seed):
    import torch.nn.functional as F
    from sklearn.manifold import TSNE
    points = F.normalize(bank.float(), dim=-1).flatten(0, 1).numpy()
    perplexity = min(perplexity, (len(points) - 1) / 3)  # t-SNE needs perplexity < samples
    return TSNE(n_components=2, perplexity=perplexity, init='pca', random_state=seed).fit_transform(points)


def main(argv=None):
    args = parse_args(argv)
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from mmaction_ext.fileio import load_checkpoint_safely
    from mmaction_ext.models.layers.text_bank import load_text_bank
    initial = load_text_bank(args.bank)['bank']
    checkpoint = load_checkpoint_safely(args.checkpoint, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint)
    if args.key not in state:
        raise KeyError(f'{args.checkpoint} has no {args.key}: not an ART checkpoint (or pass --key)')
    tuned = state[args.key]
    if tuned.shape != initial.shape:
        raise ValueError(f'{args.checkpoint}: {args.key} is {tuple(tuned.shape)}, the bank file {args.bank} '
                         f'{tuple(initial.shape)}')
    classes, prompts = initial.shape[:2]
    colours = [c for c in range(classes) for _ in range(prompts)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 5))
    scores = {}
    for ax, (title, bank) in zip(axes, (('S^0 (CLIP text bank)', initial), ('S after fine-tuning', tuned))):
        points = embed(bank, args.perplexity, args.seed)
        scores[title] = separation(bank)
        ax.scatter(points[:, 0], points[:, 1], c=colours, cmap='tab20', s=10)
        ax.set_title(f'{title}: separation {scores[title]:.2f}', fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.tight_layout()
    fig.savefig(args.out, dpi=80)
    plt.close(fig)
    print(f'{classes} classes x {prompts} templates; separation S^0 {scores["S^0 (CLIP text bank)"]:.3f}, '
          f'fine-tuned {scores["S after fine-tuning"]:.3f}; wrote {args.out}')
    return scores


if __name__ == '__main__':
    run_tool(main)
