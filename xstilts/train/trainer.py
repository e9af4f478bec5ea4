"""The one adapter over private methods of transformers' Trainer.

Checkpoint selection and multi-task saving need behaviour the Trainer exposes no public hook
for (its callbacks run after a checkpoint is written, too late to put the selected weights
inside it). The overrides below rely on these private methods of transformers 5.23.0, the
version pyproject.toml pins; tests/unit/train/test_trainer.py fails if an upgrade renames them
or changes their parameters.
"""

from __future__ import annotations

import os
from pathlib import Path

from xstilts.train.checkpoints import BestWeights

# Private Trainer methods overridden here, with the parameters they are called with.
PRIVATE_HOOKS = {
    "_determine_best_metric": ("self", "metrics", "trial"),
    "_save_checkpoint": ("self", "model", "trial"),
    "_load_best_model": ("self",),
    "_save": ("self", "output_dir", "state_dict"),
    "_load_from_checkpoint": ("self", "resume_from_checkpoint", "model"),
}


def selecting_trainer(select):
    """A Trainer whose evaluation is the task's own metric on the English selection set.

    `select(model) -> float` predicts the selection examples exactly as the final
    predictions are made (span decoding for QA, argmax over choices, ...), so checkpoints
    are compared on the metric that is reported.
    """
    from transformers import Trainer

    class SelectingTrainer(Trainer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.best = BestWeights()

        def evaluate(self, eval_dataset=None, ignore_keys=None, metric_key_prefix="eval"):
            metrics = {f"{metric_key_prefix}_selection_score": select(self.model)}
            self.log(metrics)
            self.control = self.callback_handler.on_evaluate(
                self.args, self.state, self.control, metrics)
            return metrics

        def _determine_best_metric(self, metrics, trial):
            better = super()._determine_best_metric(metrics, trial)
            if better:
                self.best.keep(self.model)
            return better

        def _save_checkpoint(self, model, trial):
            step_dir = Path(self._get_output_dir(trial)) / f"checkpoint-{self.state.global_step}"
            self.best.save(step_dir)  # before the trainer state, which marks it complete
            super()._save_checkpoint(model, trial)

        def _load_best_model(self):
            self.best.restore(self.model)

    return SelectingTrainer



def tied_weights_trainer(base):
    """`base` (a Trainer subclass) saving and restoring the tied model through safetensors.

    The Trainer's own saving rejects tensors shared between heads; safetensors'
    save_model/load_model store each shared encoder weight once.
    """
    from safetensors.torch import load_model, save_model

    class MultiTaskTrainer(base):
        def _save(self, output_dir=None, state_dict=None):
            output_dir = output_dir or self.args.output_dir
            os.makedirs(output_dir, exist_ok=True)
            save_model(self.model, os.path.join(output_dir, "model.safetensors"))

        def _load_from_checkpoint(self, resume_from_checkpoint, model=None):
            load_model(model or self.model,
                       Path(resume_from_checkpoint) / "model.safetensors")

    return MultiTaskTrainer

