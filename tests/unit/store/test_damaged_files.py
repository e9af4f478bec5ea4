"""Damaged files the project reads are named in the error, and what a rerun can rewrite is
removed so that it does (truncated JSON, corrupt safetensors)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from specs import filled

from xstilts.models.transfer import read_checkpoint
from xstilts.report.table2 import read_runs
from xstilts.store import provenance
from xstilts.store.prepared import read_manifest

REPO = Path(__file__).resolve().parents[3]


def truncated(path: Path, content: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content)[:-7])
    return path


def test_truncated_manifest_is_named(tmp_path):
    truncated(tmp_path / "pawsx" / "manifest.json", {"dataset": "pawsx", "files": {}})
    with pytest.raises(ValueError, match=f"{tmp_path / 'pawsx' / 'manifest.json'}: not valid "
                                         "JSON .*truncated"):
        read_manifest(tmp_path / "pawsx")


def test_truncated_score_file_is_named_and_removed_for_the_rerun(tmp_path):
    path = truncated(tmp_path / "scores/mnli/pawsx/seed1.json", {"score": 50.0})
    with pytest.raises(ValueError, match=f"{path}: not valid JSON.*Removed it"):
        read_runs([str(path)])
    assert not path.exists()


def test_truncated_predictions_are_named_and_removed_so_a_rerun_predicts_again(tmp_path):
    predictions = truncated(tmp_path / "predictions.json", {"predictions": {"en": {"1": "a"}}})
    spec = filled({"task": "pawsx", "format": "pair_classification", "metric": "accuracy",
                   "languages": ["en"], "eval": {"dataset": "pawsx", "split": "validation"}})
    scored = subprocess.run(
        [sys.executable, str(REPO / "scripts/score.py"), "--spec", json.dumps(spec), "--data",
         str(tmp_path), "--predictions", str(predictions), "--output",
         str(tmp_path / "scores.json")], capture_output=True, text=True)
    assert scored.returncode == 1
    assert f"{predictions}: not valid JSON" in scored.stderr and "Removed it" in scored.stderr
    assert not predictions.exists() and not (tmp_path / "scores.json").exists()


def test_unreadable_result_of_a_user_is_named_but_kept(tmp_path):
    path = truncated(tmp_path / "fr.json", {"1": "a"})
    with pytest.raises(ValueError, match=f"{path}: not valid JSON"):
        provenance.read_json(path)
    assert path.exists()


def test_corrupt_safetensors_is_named(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":")
    with pytest.raises(ValueError, match=f"{tmp_path / 'model.safetensors'}: not a readable "
                                         "safetensors file"):
        read_checkpoint(tmp_path)
