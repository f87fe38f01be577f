"""Per-class accuracy gain of one model over another (FocusVideo paper, Fig. 4) from two test dumps.

    python tools/analysis/per_class_gain.py BASELINE.pkl OURS.pkl --out-dir DIR [--topk 20] [--classes FILE]

Both pickles come from ``tools/test.py CONFIG CKPT --dump X.pkl`` on the same test set (same order and labels,
checked). Writes DIR/per_class_gain.csv (every class: samples, both accuracies, gain, sorted by gain) and
DIR/per_class_gain.png (a bar plot of the ``topk`` largest gains). ``--classes`` names the classes (one per
line, as MMAction2's label maps); otherwise they are numbered.
"""
import argparse
import csv
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

import numpy as np  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('baseline', help='dump of the baseline (e.g. the global branch alone)')
    parser.add_argument('ours', help='dump of the compared model')
    parser.add_argument('--out-dir', required=True)
    parser.add_argument('--topk', type=int, default=20)
    parser.add_argument('--classes', help='class names, one per line')
    return parser.parse_args(argv)


def predictions(path):
    """``(pred (N,), label (N,))`` of a tools/test.py dump, read safely (numpy / tensors only)."""
    from mmaction_ext.fileio import load_pickle_safely
    samples = load_pickle_safely(path, allow_tensors=True)
    if not isinstance(samples, list) or not samples or 'pred_score' not in samples[0]:
        raise ValueError(f'{path} is not a tools/test.py --dump file of a recognizer (no pred_score entries)')
    scores = np.stack([np.asarray(s['pred_score'], dtype=np.float64) for s in samples])
    labels = np.array([int(np.asarray(s['gt_label']).reshape(-1)[0]) for s in samples])
    return scores.argmax(1), labels


def per_class_gain(baseline, ours, num_classes):
    """Rows ``(class, samples, baseline accuracy, our accuracy, gain)`` for every class with samples."""
    (pred_a, labels_a), (pred_b, labels_b) = baseline, ours
    if not np.array_equal(labels_a, labels_b):
        raise ValueError('the two dumps do not hold the same test samples (labels differ in order or number)')
    rows = []
    for c in range(num_classes):
        mask = labels_a == c
        if mask.any():
            acc_a, acc_b = float((pred_a[mask] == c).mean()), float((pred_b[mask] == c).mean())
            rows.append((c, int(mask.sum()), acc_a, acc_b, acc_b - acc_a))
    return sorted(rows, key=lambda row: (-row[4], row[0]))


def main(argv=None):
    args = parse_args(argv)
    baseline, ours = predictions(args.baseline), predictions(args.ours)
    num_classes = int(max(baseline[1].max(), ours[1].max(), baseline[0].max(), ours[0].max())) + 1
    names = [str(c) for c in range(num_classes)]
    if args.classes:
        with open(args.classes) as f:
            listed = [line.strip() for line in f if line.strip()]
        if len(listed) < num_classes:
            raise ValueError(f'{args.classes} names {len(listed)} classes, the dumps have {num_classes}')
        names = listed
    rows = per_class_gain(baseline, ours, num_classes)
    os.makedirs(args.out_dir, exist_ok=True)
    with open(osp.join(args.out_dir, 'per_class_gain.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['class_index', 'class', 'samples', 'baseline_acc', 'ours_acc', 'gain'])
        for c, count, acc_a, acc_b, gain in rows:
            writer.writerow([c, names[c], count, f'{acc_a:.4f}', f'{acc_b:.4f}', f'{gain:.4f}'])
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    top = rows[:args.topk]
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(top)), 4))
    ax.bar(range(len(top)), [100 * row[4] for row in top], color='tab:blue')
    ax.set_xticks(range(len(top)), [names[row[0]] for row in top], rotation=60, ha='right', fontsize=8)
    ax.set_ylabel('accuracy gain (points)')
    ax.set_title(f'Top {len(top)} per-class gains: {osp.basename(args.ours)} over {osp.basename(args.baseline)}')
    fig.tight_layout()
    fig.savefig(osp.join(args.out_dir, 'per_class_gain.png'), dpi=120)
    plt.close(fig)
    print(f'{len(rows)} classes; largest gain {100 * rows[0][4]:+.1f} points ({names[rows[0][0]]}); '
          f'wrote per_class_gain.csv and per_class_gain.png to {args.out_dir}')
    return rows


if __name__ == '__main__':
    main()
