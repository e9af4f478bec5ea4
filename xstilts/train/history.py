"""A training run's log history as JSONL beside its checkpoint: one line per Trainer log
entry (training loss, learning rate, gradient norm; each evaluation's selection score),
then one line naming the selected step. It is written before the checkpoint's record, so
the record hashes it; timings are left out, so that a rerun writes the same bytes, and so
is the closing mean loss, which a resumed run gets wrong."""

from __future__ import annotations

import json
from pathlib import Path

from xstilts.store import atomic

# keys of the Trainer's log whose values depend on the machine, not on the run
TIMING_SUFFIXES = ("_runtime", "_per_second")
# the closing mean loss: after a resume the Trainer sums the losses since the resume only,
# but divides by every step (the per-step losses above it are the curve)
LEFT_OUT = {"train_loss"}


def kept(key: str) -> bool:
    return not key.endswith(TIMING_SUFFIXES) and key not in LEFT_OUT


def history_lines(log_history: list[dict], selection: dict) -> list[dict]:
    """The Trainer's `state.log_history` without timings, then the selection: the step
    whose weights were kept, its score, and how many steps were trained."""
    entries = [{key: value for key, value in entry.items() if kept(key)}
               for entry in log_history]
    return [*entries, {"selected_step": selection["best_step"],
                       "selection_score": selection["best_metric"],
                       "steps_trained": selection["steps_trained"]}]


def write_history(path: Path, log_history: list[dict], selection: dict) -> None:
    lines = history_lines(log_history, selection)
    atomic.write_text(path, "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))
