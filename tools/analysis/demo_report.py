"""Pictures and numbers of a classification run: learning curve, test confusion matrix, a JSON summary.

    python tools/analysis/demo_report.py WORK_DIR TEST_RESULTS.pkl [--classes classes.txt] [--summary OUT.json]

Reads the training log that mmengine's ``LocalVisBackend`` writes (``WORK_DIR/<timestamp>/vis_data/scalars.json``:
training loss per logged iteration, validation top-1 per validation epoch) and the predictions that
``tools/test.py --dump`` writes, and writes next to them ``learning_curve.png`` (training loss and its running
mean against iterations; validation top-1 against epochs), ``confusion_matrix.png`` (test clips, rows: true class,
normalised per row, class names on both axes) and, with ``--summary``, the numbers as JSON (top-1, mean-class
accuracy, validation top-1 per epoch, the confusion counts). ``tools/demo.sh`` runs it after the multi-view test.
"""
import argparse
import glob
import json
import os.path as osp
import pickle
from typing import Dict, List, Optional, Sequence

import numpy as np


def read_scalars(work_dir: str) -> Dict[str, list]:
    """Training loss ``[(iteration, loss)]`` and validation top-1 ``[(epoch, top1)]`` of the latest run in
    ``work_dir`` (mmengine's ``vis_data/scalars.json``: one JSON object per logged step)."""
    logs = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not logs:
        raise FileNotFoundError(f'{work_dir}: no */vis_data/scalars.json (the training log of mmengine\'s '
                                f'LocalVisBackend); is this the work dir of a finished tools/train.py run?')
    loss, top1 = [], []
    with open(logs[-1]) as f:
        for line_number, line in enumerate(f, 1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f'{logs[-1]}:{line_number}: not JSON ({error})') from None
            if 'loss' in record:
                loss.append((int(record['step']), float(record['loss'])))
            if 'acc/top1' in record:
                top1.append((int(record['step']), float(record['acc/top1'])))
    if not loss:
        raise ValueError(f'{logs[-1]}: no training loss logged')
    return dict(loss=loss, val_top1=top1, log=logs[-1])


def read_predictions(path: str):
    """``(true labels, predicted labels)`` of the clips in a ``tools/test.py --dump`` pickle."""
    with open(path, 'rb') as f:
        results = pickle.load(f)  # noqa: S301  written by the user's own tools/test.py run
    if not isinstance(results, list) or not results:
        raise ValueError(f'{path}: expected the non-empty list of predictions that tools/test.py --dump writes')
    truth, predicted = [], []
    for index, sample in enumerate(results):
        missing = [k for k in ('gt_label', 'pred_score') if k not in sample]
        if missing:
            raise ValueError(f'{path}: prediction {index} has no {missing} (a classification model\'s dump?)')
        truth.append(int(np.asarray(sample['gt_label']).reshape(-1)[0]))
        predicted.append(int(np.asarray(sample['pred_score']).argmax()))
    return np.array(truth), np.array(predicted)


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray, num_classes: int) -> np.ndarray:
    """Counts ``(num_classes, num_classes)``: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix


def accuracies(matrix: np.ndarray) -> Dict[str, float]:
    """Top-1 (over clips) and mean-class accuracy (over classes with clips) of a confusion matrix."""
    per_class = np.diag(matrix) / np.maximum(matrix.sum(1), 1)
    present = matrix.sum(1) > 0
    return dict(top1=float(np.trace(matrix) / matrix.sum()), mean_class=float(per_class[present].mean()))


def running_mean(values: Sequence[float], window: int) -> np.ndarray:
    values = np.asarray(values, np.float64)
    window = max(1, min(window, len(values)))
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    out = np.empty(len(values))
    for i in range(len(values)):
        lo = max(0, i - window + 1)
        out[i] = (cumulative[i + 1] - cumulative[lo]) / (i + 1 - lo)
    return out


def plot_learning_curve(scalars: dict, out: str, title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    steps, loss = zip(*scalars['loss'])
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_loss.plot(steps, loss, color='0.75', lw=0.8, label='training loss')
    ax_loss.plot(steps, running_mean(loss, 20), color='C0', lw=1.6, label='running mean (20 logs)')
    ax_loss.set_xlabel('iteration')
    ax_loss.set_ylabel('loss')
    ax_loss.legend()
    if scalars['val_top1']:
        epochs, top1 = zip(*scalars['val_top1'])
        ax_acc.plot(epochs, top1, 'o-', color='C1')
    ax_acc.set_xlabel('epoch')
    ax_acc.set_ylabel('validation top-1 (one view)')
    ax_acc.set_ylim(0, 1)
    ax_acc.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], out: str, title: str = '') -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rates = matrix / np.maximum(matrix.sum(1, keepdims=True), 1)
    size = 3 + 0.45 * len(class_names)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(rates, cmap='Blues', vmin=0, vmax=1)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=60, ha='right', fontsize=8)
    ax.set_yticks(ticks, class_names, fontsize=8)
    for i in range(len(class_names)):
        for j in range(len(class_names)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha='center', va='center', fontsize=7,
                        color='white' if rates[i, j] > 0.5 else 'black')
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title)
    fig.colorbar(image, ax=ax, fraction=0.046, label='fraction of the true class')
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def read_class_names(path: Optional[str], num_classes: int) -> List[str]:
    if path is None:
        from mmaction_ext.datasets.synthetic.motions import MOTION_CLASSES
        if num_classes > len(MOTION_CLASSES):
            raise ValueError(f'{num_classes} classes in the predictions; pass --classes with their names')
        return list(MOTION_CLASSES[:num_classes])
    with open(path) as f:
        names = [line.strip() for line in f if line.strip()]
    if len(names) < num_classes:
        raise ValueError(f'{path}: {len(names)} class names, the predictions have {num_classes} classes')
    return names


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='the training run (tools/train.py --work-dir)')
    parser.add_argument('predictions', help='the test predictions (tools/test.py --dump)')
    parser.add_argument('--classes', help='class names, one per line (default: the motion demo classes)')
    parser.add_argument('--out-dir', help='where the pictures go (default: work_dir)')
    parser.add_argument('--summary', help='also write the numbers to this JSON file')
    parser.add_argument('--title', default='', help='title of the pictures')
    args = parser.parse_args(argv)

    import sys
    sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
    scalars = read_scalars(args.work_dir)
    truth, predicted = read_predictions(args.predictions)
    with open(args.predictions, 'rb') as f:
        num_classes = int(np.asarray(pickle.load(f)[0]['pred_score']).size)  # noqa: S301
    names = read_class_names(args.classes, num_classes)
    matrix = confusion_matrix(truth, predicted, num_classes)
    out_dir = args.out_dir or args.work_dir
    curve, confusion = osp.join(out_dir, 'learning_curve.png'), osp.join(out_dir, 'confusion_matrix.png')
    plot_learning_curve(scalars, curve, args.title)
    acc = accuracies(matrix)
    plot_confusion(matrix, names, confusion,
                   f'{args.title} test top-1 {acc["top1"]:.3f}, mean class {acc["mean_class"]:.3f}'.strip())
    summary = dict(acc, num_clips=int(matrix.sum()), classes=names, confusion=matrix.tolist(),
                   val_top1=scalars['val_top1'], final_train_loss=float(np.mean([v for _, v in scalars['loss'][-20:]])))
    print(f'test top-1 {acc["top1"]:.4f}  mean class accuracy {acc["mean_class"]:.4f}  ({int(matrix.sum())} clips)')
    print(f'wrote {curve}\nwrote {confusion}')
    if args.summary:
        with open(args.summary, 'w') as f:
            json.dump(summary, f, indent=1)
        print(f'wrote {args.summary}')


if __name__ == '__main__':
    main()
