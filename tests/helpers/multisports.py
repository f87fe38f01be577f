"""MMAction2 1.2.0's MultiSports evaluator (``multisports_utils``), the in-tree peer of convention 'voc',
with the fixes of its two documented bugs (used by the parity tests and the detection benchmark)."""
import builtins

import numpy as np


def int_of_one_element(value):
    """``int()`` that also takes a one-element array: ``iou3dt_voc`` does ``int(np.where(...)[0])``, a
    TypeError from NumPy 2 on (the pinned NumPy 1 accepts it)."""
    return builtins.int(np.asarray(value).reshape(-1)[0]) if isinstance(value, np.ndarray) else builtins.int(value)


def own_scores_dataset(multisports):
    """A ``multisports_utils.Dataset`` whose per-frame detections keep their own score: 1.2.0's
    ``get_vid_dets`` gives every box the score of the last detection of the whole input (``frm_det[3]``)."""

    class OwnScores(multisports.Dataset):

        def get_vid_dets(self):
            self.vid_det = {}
            for row in self.frm_alldets:
                video = self.video_list[int(row[0])]
                if video not in self.vid_det:
                    self.vid_det[video] = {frame: {label: np.empty((0, 5)) for label in range(len(self.labels))}
                                           for frame in range(1, self.nframes[video] + 1)}
                cell = self.vid_det[video][int(row[1])]
                cell[int(row[2])] = np.concatenate([cell[int(row[2])], np.r_[row[4:8], row[3]][None]])
            return self.vid_det

    return OwnScores


def patch_multisports(setattr_):
    """Apply both fixes to ``multisports_utils`` with ``setattr_(module, name, value)`` (e.g. pytest's
    ``monkeypatch.setattr``, or ``setattr`` in a process of its own); returns the module."""
    from mmaction.evaluation.functional import multisports_utils
    setattr_(multisports_utils, 'int', int_of_one_element)
    setattr_(multisports_utils, 'Dataset', own_scores_dataset(multisports_utils))
    return multisports_utils
