"""What a training job leaves beside its checkpoint for people: the log history (JSONL),
the model card written from the provenance record, and the curves drawn from the history;
on a hand-made history and record here, on the demo's checkpoints in
tests/test_training_logs_workflow.py."""

import json

import pytest

from xstilts.report import curves
from xstilts.spec import paths
from xstilts.store.provenance import RECORD, UNRECORDED, sha256_file
from xstilts.train.card import model_card, write_model_card
from xstilts.train.history import history_lines, write_history

# as the Trainer logs them: training entries, evaluations, the closing summary
LOG = [
    {"step": 10, "epoch": 0.5, "loss": 1.2, "learning_rate": 2e-3, "grad_norm": 3.0},
    {"step": 10, "epoch": 0.5, "eval_selection_score": 40.0, "eval_runtime": 0.8,
     "eval_samples_per_second": 60.1, "eval_steps_per_second": 2.0},
    {"step": 20, "epoch": 1.0, "loss": 0.9, "learning_rate": 1e-3, "grad_norm": 2.0},
    {"step": 20, "epoch": 1.0, "eval_selection_score": 55.0, "eval_runtime": 0.7},
    {"step": 20, "epoch": 1.0, "train_loss": 1.05, "train_runtime": 4.2,
     "train_samples_per_second": 100.0, "total_flos": 12.0},
]
SELECTION = {"best_step": 20, "best_metric": 55.0, "steps_trained": 20, "metric": "accuracy"}


def test_history_keeps_the_log_without_timings_and_ends_with_the_selection():
    lines = history_lines(LOG, SELECTION)
    assert lines[0] == LOG[0]
    assert lines[1] == {"step": 10, "epoch": 0.5, "eval_selection_score": 40.0}
    assert lines[4] == {"step": 20, "epoch": 1.0, "total_flos": 12.0}  # no summary loss
    assert lines[-1] == {"selected_step": 20, "selection_score": 55.0, "steps_trained": 20}


def test_history_file_is_jsonl_and_read_back_for_the_curves(tmp_path):
    write_history(tmp_path / paths.LOG_HISTORY, LOG, SELECTION)
    text = (tmp_path / paths.LOG_HISTORY).read_text()
    assert len(text.splitlines()) == 6 and all(json.loads(line) for line in text.splitlines())
    assert curves.read_history(tmp_path) == history_lines(LOG, SELECTION)


def test_curves_show_loss_scores_and_the_selected_step(tmp_path):
    figure = curves.training_curves(history_lines(LOG, SELECTION), "a title")
    loss_axes, score_axes = figure.axes
    assert loss_axes.lines[0].get_xydata().tolist() == [[10, 1.2], [20, 0.9]]
    assert score_axes.lines[0].get_xydata().tolist() == [[10, 40.0], [20, 55.0]]
    # the selected step: a dashed line on both panels, a star on its score
    assert list(loss_axes.lines[1].get_xdata()) == [20, 20]
    assert loss_axes.lines[1].get_linestyle() == "--"
    assert score_axes.lines[-1].get_xydata().tolist() == [[20, 55.0]]
    assert score_axes.lines[-1].get_marker() == "*"


def test_curve_names_and_titles_follow_the_checkpoint_path():
    target = paths.fill(paths.TARGET_MODEL, intermediate="mnli", target="xnli", seed=1)
    assert curves.curve_name(target) == "target.mnli.xnli.seed1"
    assert curves.curve_title(target, {"mnli": "MNLI"}) == "target: MNLI \u2192 xnli, seed1"
    intermediate = paths.fill(paths.INTERMEDIATE_MODEL, task="mnli", seed=2)
    assert curves.curve_name(intermediate) == "intermediate.mnli.seed2"


@pytest.mark.parametrize(("text", "message"), [
    (None, "log_history.jsonl: missing"),
    ('{"step": 1, "loss": 1.0}\n{"step": 2, "lo', "line 2: not JSON"),
    ('{"step": 1, "loss": 1.0}\n', "no last line with 'selected_step'; is the file truncated"),
])
def test_a_bad_history_is_named(tmp_path, text, message):
    if text is not None:
        (tmp_path / paths.LOG_HISTORY).write_text(text)
    with pytest.raises(curves.HistoryError, match=message) as error:
        curves.read_history(tmp_path)
    assert str(error.value).startswith(str(tmp_path / paths.LOG_HISTORY))


RECORD_DATA = {
    "kind": "checkpoint",
    "params": {"task": "xnli", "kind": "target_tasks", "format": "pair_classification",
               "seed": 1, "epochs": 2, "batch_size": 32, "max_length": 256,
               "hparams": {"learning_rate": 1e-05, "warmup_ratio": 0.1}},
    "inputs": {"init": {"path": "models/intermediate/mnli/seed1", "record_sha256": "ab" * 32},
               "data": {"mnli": {"source": "hub", "revision": "c0ffee", "sha256": "00"}}},
    "examples": {"mnli/en/train": {"rows": 392702, "of": 392702},
                 "mnli/en/validation_matched": {"rows": 500, "of": 9815}},
    "selection": {"metric": "accuracy on 500 English dev examples", "best_metric": 84.2,
                  "best_step": 3000, "steps_trained": 9000,
                  "evaluations": [{"step": 1000, "score": 80.0}] * 9},
    "outputs": {"files": {"model.safetensors": "cd" * 32}},
    "code": {"commit": "1234abcd", "dirty": False},
    "device": "NVIDIA H100", "bf16": True, "wall_seconds": 3600.0,
}


def test_model_card_says_what_the_record_says(tmp_path):
    card = model_card(RECORD_DATA, "ef" * 32)
    assert card.startswith("---\nlibrary_name: transformers\n")
    for expected in ["# xnli (target task), seed 1", "`models/intermediate/mnli/seed1`",
                     "ab" * 32,  # the parent's record hash
                     "| mnli | hub | `c0ffee` | en/train 392702, en/validation_matched 500 |",
                     "| learning_rate | 1e-05 |", "selected step: 3000 of 9000 trained; "
                     "dev score there: 84.2", "evaluations: 9",
                     "| model.safetensors | `" + "cd" * 32 + "` |",
                     "sha256 of `provenance.json`: `" + "ef" * 32 + "`"]:
        assert expected in card


def test_model_card_is_written_from_the_record_and_left_out_of_it(tmp_path):
    (tmp_path / RECORD).write_text(json.dumps(RECORD_DATA))
    write_model_card(tmp_path)
    card = (tmp_path / paths.MODEL_CARD).read_text()
    assert f"`{sha256_file(tmp_path / RECORD)}`" in card
    write_model_card(tmp_path)
    assert (tmp_path / paths.MODEL_CARD).read_text() == card  # the same bytes again
    assert paths.MODEL_CARD in UNRECORDED  # a checkpoint's files are checked without it
