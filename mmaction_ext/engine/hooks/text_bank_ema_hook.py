from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper


@HOOKS.register_module()
class TextBankEMAHook(Hook):
    """After every optimizer step, move each text bank of the model towards its trained agent:
    ``S <- mu S + (1 - mu) S^a`` (ART eq. 12; ``mu`` is the head's ``bank_momentum``).

    It calls ``update_text_bank()`` on every submodule that has one (``ARTHead``); a model without any is an
    error, so a config that adds the hook to the wrong model says so on the first iteration.
    """

    priority = 'NORMAL'

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        updated = 0
        for module in model.modules():
            if module is not model and callable(getattr(module, 'update_text_bank', None)):
                module.update_text_bank()
                updated += 1
        if not updated:
            raise RuntimeError(f'TextBankEMAHook: {type(model).__name__} has no module with update_text_bank() '
                               '(an ARTHead): remove the hook from custom_hooks')
