import os
import os.path as osp
import shutil

from mmaction.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.hooks import Hook


@HOOKS.register_module()
class BestCheckpointLinkHook(Hook):
    """Keep ``<work_dir>/<link_name>`` pointing at the best checkpoint mmengine's ``CheckpointHook`` saved.

    ``CheckpointHook(save_best=...)`` names its best checkpoint after the epoch it came from
    (``best_acc_top1_epoch_87.pth``), so a fine-tuning config cannot name it in ``load_from``. After every
    validation this hook makes ``link_name`` (default ``best.pth``) a relative symbolic link to the current
    best one (a copy where links are not supported): fine-tuning configs load ``<upstream work_dir>/best.pth``.

    Args:
        link_name (str): File name of the link in the work dir.
    """

    priority = 'LOWEST'  # after CheckpointHook (VERY_LOW) has written the best checkpoint

    def __init__(self, link_name: str = 'best.pth'):
        if osp.basename(link_name) != link_name:
            raise ValueError(f'BestCheckpointLinkHook: link_name must be a file name, got {link_name!r}')
        self.link_name = link_name

    def after_val_epoch(self, runner, metrics=None) -> None:
        if not is_main_process() or not runner.message_hub.get_info('best_ckpt'):
            return
        best = runner.message_hub.get_info('best_ckpt')
        link = osp.join(osp.dirname(best), self.link_name)
        if osp.islink(link) and os.readlink(link) == osp.basename(best):
            return
        if osp.lexists(link):
            os.remove(link)
        try:
            os.symlink(osp.basename(best), link)
        except OSError:
            shutil.copyfile(best, link)
        runner.logger.info(f'{self.link_name} -> {osp.basename(best)}')
