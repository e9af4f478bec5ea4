"""The prediction file of a fine-tuned target model: every evaluation language (and the
test split, where the target has one), with the record of the checkpoint that predicted."""

from __future__ import annotations

import time
from pathlib import Path

from xstilts.evaluate.held_out import predict_test_split
from xstilts.spec import TaskSpec
from xstilts.store import provenance
from xstilts.store.splits import evaluated_sizes


def write_predictions(output: Path, model, tokenizer, spec: TaskSpec, checkpoint_dir: Path,
                      data_root: Path, device: str, trained_for: str | None = None) -> None:
    """Predict every language of `spec` with `model` (saved at `checkpoint_dir`) and write
    the prediction file; `trained_for`: the task the checkpoint was trained for, where it
    is shared with another (xstilts.config.sharing)."""
    from xstilts.train.loop import predict_languages

    started, clock = provenance.now(), time.monotonic()
    predictions = predict_languages(model, tokenizer, spec, data_root)
    test = ({"test": predict_test_split(model, tokenizer, spec, data_root)}
            if spec.test is not None else {})
    shared = {"model_trained_for": trained_for} if trained_for else {}
    provenance.write_result(Path(output), {
        "task": spec.task,
        "split": spec.eval.split,
        "predictions": predictions,
        **test,
        "provenance": provenance.predictions_record(
            spec, Path(checkpoint_dir), data_root, started,
            extra={"device": device, "examples": evaluated_sizes(spec, data_root), **shared,
                   # prediction alone (training has its own, in the checkpoint's record)
                   "wall_seconds": round(time.monotonic() - clock, 1)}),
    })
