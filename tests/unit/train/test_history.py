"""What a training job leaves beside its checkpoint for people: the log history (JSONL) and
the model card written from the provenance record; on a hand-made history and record here,
on the demo's checkpoints in tests/workflow/test_training_logs.py."""


import json

from training_log import LOG, SELECTION

from xstilts.spec import paths
from xstilts.store.provenance import RECORD, UNRECORDED, sha256_file
from xstilts.train.card import model_card, write_model_card
from xstilts.train.history import history_lines


def test_history_keeps_the_log_without_timings_and_ends_with_the_selection():
    lines = history_lines(LOG, SELECTION)
    assert lines[0] == LOG[0]
    assert lines[1] == {"step": 10, "epoch": 0.5, "eval_selection_score": 40.0}
    assert lines[4] == {"step": 20, "epoch": 1.0, "total_flos": 12.0}  # no summary loss
    assert lines[-1] == {"selected_step": 20, "selection_score": 55.0, "steps_trained": 20}


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

