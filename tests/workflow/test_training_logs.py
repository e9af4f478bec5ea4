"""On the demo slice: every trained checkpoint holds its log history (hashed by its record)
and a model card, the curves rule draws one figure per trained model, and a training job
with `report_to: tensorboard` writes event files that TensorBoard's own reader reads back
with the same numbers as the log history."""

from __future__ import annotations

import json
import subprocess

import pytest
from workflow import BIN, BY_HAND, train_command

from xstilts.report.curves import curve_name, read_history
from xstilts.spec import paths
from xstilts.store.provenance import RECORD, sha256_file, verified_checkpoint

pytestmark = pytest.mark.workflow


def trained_checkpoints(workdir):
    root = workdir / paths.BASE_MODEL
    return sorted(path.parent for path in root.parent.rglob(RECORD)
                  if path.parent != root and not path.parent.name.startswith("killed_"))


def test_every_checkpoint_holds_its_history_card_and_curves(demo_run):
    checkpoints = trained_checkpoints(demo_run)
    assert len(checkpoints) > 10
    drawn = {path.stem for path in (demo_run / paths.CURVES).glob("*.png")}
    for checkpoint in checkpoints:
        record = json.loads((checkpoint / RECORD).read_text())
        files = record["outputs"]["files"]
        assert files[paths.LOG_HISTORY] == sha256_file(checkpoint / paths.LOG_HISTORY)
        history = read_history(checkpoint)
        evaluations = [{"step": entry["step"], "score": entry["eval_selection_score"]}
                       for entry in history if "eval_selection_score" in entry]
        assert evaluations == record["selection"]["evaluations"]
        assert history[-1]["selected_step"] == record["selection"]["best_step"]
        assert any("loss" in entry and "learning_rate" in entry for entry in history)
        card = (checkpoint / paths.MODEL_CARD).read_text()
        assert f"`{sha256_file(checkpoint / RECORD)}`" in card
        assert f"selected step: {record['selection']['best_step']} " in card
        assert curve_name(checkpoint.relative_to(demo_run)) in drawn
    assert len(drawn) == len(checkpoints)


# TensorBoard's own reader, in a fresh interpreter as the tensorboard command would run it
READ_EVENTS = """
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
events = EventAccumulator(sys.argv[1])
events.Reload()
print(json.dumps({tag: [[event.step, event.value] for event in events.Scalars(tag)]
                  for tag in sys.argv[2:]}))
"""


def test_tensorboard_events_read_back_as_the_log_history(demo_run):
    args = train_command(demo_run, ("target_tasks", "pawsx"), "tensorboard_pawsx")
    subprocess.run([str(BIN / "python"), "scripts/train.py", *args, "--report-to",
                    "tensorboard"], cwd=demo_run, capture_output=True, text=True,
                   timeout=300, check=True)
    checkpoint = demo_run / BY_HAND / "tensorboard_pawsx"
    verified_checkpoint(checkpoint)  # the event files are part of the record
    (run,) = (checkpoint / paths.TENSORBOARD).iterdir()
    tags = ("train/loss", "eval/selection_score")
    events = json.loads(subprocess.run([str(BIN / "python"), "-c", READ_EVENTS, str(run), *tags],
                                       capture_output=True, text=True, check=True).stdout)
    history = read_history(checkpoint)
    losses = [(entry["step"], entry["loss"]) for entry in history if "loss" in entry]
    scores = [(entry["step"], entry["eval_selection_score"]) for entry in history
              if "eval_selection_score" in entry]
    for tag, logged in zip(tags, (losses, scores), strict=True):
        read = events[tag]  # float32 in the event file
        assert [step for step, _ in read] == [step for step, _ in logged]
        assert [value for _, value in read] == pytest.approx([value for _, value in logged])
    # the same training as the demo's (the report_to setting changes no weight)
    assert (checkpoint / "model.safetensors").read_bytes() == \
        (demo_run / "models/target/baseline/pawsx/seed1/model.safetensors").read_bytes()
