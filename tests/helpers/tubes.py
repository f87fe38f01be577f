"""Hand-made ground-truth tubes and detections for the detection-evaluation tests."""
import numpy as np

BOX = [0.0, 0.0, 10.0, 10.0]


def tube(first, last, box=BOX):
    frames = np.arange(first, last + 1, dtype=np.float32)
    return np.concatenate([frames[:, None], np.tile(np.asarray(box, np.float32), (len(frames), 1))], 1)


def detections_from(gttubes, videos, score=1.0, shift=0.0):
    """One detection per ground-truth box, shifted right by ``shift`` pixels."""
    rows = []
    for index, video in enumerate(videos):
        for label, tubes in gttubes[video].items():
            for t in tubes:
                for frame, x1, y1, x2, y2 in t:
                    rows.append([index, frame, label, score, x1 + shift, y1, x2 + shift, y2])
    return np.array(rows, np.float64)
