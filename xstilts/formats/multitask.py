"""Multi-task training (the MIXTURE kind): the intermediate tasks a task names under
`tasks`, trained together on one encoder.

Each part keeps its own format and head; what the mixture adds is which parts it trains,
how their heads share one encoder and how their selection scores combine. The training
itself (one task per micro-batch, shuffled together) is xstilts.train.multitask's.
"""

from __future__ import annotations

from statistics import fmean

from xstilts.formats.interface import Kind
from xstilts.spec import TaskSpec

KIND = Kind.MIXTURE


def parts(spec: TaskSpec) -> dict[str, TaskSpec]:
    """{task name: its resolved spec} (xstilts.config.resolve_task resolves each of the
    task's `tasks` as `subtasks`)."""
    return spec.subtasks


def share_encoder(models: dict):
    """Tie every part's model to one encoder; return (wrapper, model saved as the checkpoint).

    The encoder of a model with a pooler is kept when one needs it (multiple choice), so
    no head loses a part it uses.
    """
    import torch

    with_pooler = [m for m in models.values() if getattr(m.base_model, "pooler", None)]
    primary = with_pooler[0] if with_pooler else next(iter(models.values()))
    for model in models.values():
        setattr(model, model.base_model_prefix, primary.base_model)

    class MultiTaskModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.tasks = torch.nn.ModuleDict(models)

        def forward(self, task, **batch):
            return self.tasks[task](**batch)

    return MultiTaskModel(), primary


def combine_scores(scores: dict[str, float]) -> float:
    """The mean of each part's own selection score on its English dev subset."""
    return fmean(scores.values())
