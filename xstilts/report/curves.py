"""Training curves of one trained model, from the log history its training job wrote into
the checkpoint (paths.LOG_HISTORY, xstilts.train.history): the training loss over steps,
the selection score at each evaluation, and the selected step marked on both."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from matplotlib.figure import Figure

from xstilts.report.figures import EMPTY, PAGE_INCHES
from xstilts.spec import paths

SELECTION_KEY = "eval_selection_score"  # the Trainer's name of the selection metric
SELECTED_KEY = "selected_step"  # the history's last line
ARROW = " \u2192 "  # intermediate task -> target task


class HistoryError(ValueError):
    """A log history that is not JSONL or lacks its selection line."""


def read_history(checkpoint: Path) -> list[dict]:
    path = Path(checkpoint) / paths.LOG_HISTORY
    entries = []
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        raise HistoryError(f"{path}: missing; was the checkpoint trained by this version "
                           "(rerun its training job)?") from None
    for number, line in enumerate(lines, start=1):
        try:
            entries.append(json.loads(line))
        except ValueError as error:
            raise HistoryError(f"{path}, line {number}: not JSON ({error})") from None
    if not entries or SELECTED_KEY not in entries[-1]:
        raise HistoryError(f"{path}: no last line with {SELECTED_KEY!r}; is the file truncated?")
    return entries


def curve_name(checkpoint: Path) -> str:
    """A file stem that names the model: target.mnli.xnli.seed1, intermediate.mnli.seed1."""
    return ".".join(Path(checkpoint).relative_to(Path(paths.BASE_MODEL).parent).parts)


def curve_title(checkpoint: Path, names: Mapping[str, str] = EMPTY) -> str:
    kind, *tasks, seed = Path(checkpoint).relative_to(Path(paths.BASE_MODEL).parent).parts
    return f"{kind}: {ARROW.join(names.get(task, task) for task in tasks)}, {seed}"


def training_curves(history: list[dict], title: str) -> Figure:
    """Loss (left) and selection score (right) over optimiser steps, the selected step as
    a dashed line on both and a star on its score."""
    *entries, selection = history
    losses = [(entry["step"], entry["loss"]) for entry in entries if "loss" in entry]
    scores = [(entry["step"], entry[SELECTION_KEY]) for entry in entries
              if SELECTION_KEY in entry]
    selected = selection[SELECTED_KEY]
    figure = Figure(figsize=(PAGE_INCHES, 2.1), layout="constrained")
    loss_axes, score_axes = figure.subplots(1, 2)
    if losses:
        loss_axes.plot(*zip(*losses, strict=True), color="#4477aa", linewidth=1.0)
    loss_axes.set_ylabel("training loss")
    if scores:
        score_axes.plot(*zip(*scores, strict=True), color="#228833", marker="o", markersize=3,
                        linewidth=1.0)
    if selected is not None:
        for axes in (loss_axes, score_axes):
            axes.axvline(selected, color="black", linestyle="--", linewidth=0.8)
        score_axes.plot([selected], [selection["selection_score"]], marker="*", markersize=9,
                        color="black", linestyle="none",
                        label=f"selected: step {selected}")
        score_axes.legend(loc="best", frameon=False)
    score_axes.set_ylabel("selection score (English dev)")
    for axes in (loss_axes, score_axes):
        axes.set_xlabel("optimiser step")
    figure.suptitle(title)
    return figure
