"""The status grid: done / running / failed / missing per cell and seed, from disk only."""

import shutil
import subprocess
import sys
from base64 import urlsafe_b64encode
from pathlib import Path

import pytest

from xstilts.audit import status
from xstilts.config import load

REPO = Path(__file__).resolve().parents[3]

def demo_grid(intermediate: list[str], targets: list[str]) -> dict:
    """The demo configuration narrowed to a grid, with two seeds."""
    config = load([REPO / "config/config.yaml", REPO / "config/demo.yaml"])
    return {**config, "seeds": [1, 2], "experiment": {
        **config["experiment"], "baseline": True, "intermediate": intermediate,
        "targets": targets}}


CONFIG = demo_grid(["mnli"], ["pawsx", "tatoeba"])


@pytest.fixture
def root(tmp_path, monkeypatch):
    # no local datasets in CONFIG: every row is available
    monkeypatch.setattr(status, "unavailable_rows", lambda config: {})
    return tmp_path


def touch(root: Path, path: str, text: str = "") -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def states(root: Path) -> dict[tuple, str]:
    return {key: state for key, (state, _) in status.grid(CONFIG, root).items()}


def test_nothing_on_disk_is_missing(root):
    assert set(states(root).values()) == {status.MISSING}
    assert len(states(root)) == 2 * 2 * 2  # rows x targets x seeds


def test_done_running_failed_from_outputs_work_dirs_markers_and_logs(root):
    touch(root, "results/scores/baseline/pawsx/seed1.json", "{}")
    (root / "models/target/baseline/pawsx/seed2.work").mkdir(parents=True)  # training
    touch(root, "models/intermediate/mnli/seed1.work/spec.json")  # intermediate training
    touch(root, "logs/evaluate_retrieval/baseline/seed2.log",
          "loading\nTraceback (most recent call last):\n  ...\nValueError: layer 9\n")
    touch(root, "logs/train_target/mnli/pawsx/seed2.log", "epoch 1\nepoch 2\n")  # no error
    marker = urlsafe_b64encode(b"results/predictions/mnli/tatoeba/seed2.json").decode()
    touch(root, f".snakemake/incomplete/{marker}")
    assert states(root) == {
        ("baseline", "pawsx", 1): status.DONE,
        ("baseline", "tatoeba", 1): status.MISSING,
        ("mnli", "pawsx", 1): status.RUNNING,  # its intermediate model is training
        ("mnli", "tatoeba", 1): status.RUNNING,
        ("baseline", "pawsx", 2): status.RUNNING,
        ("baseline", "tatoeba", 2): status.FAILED,
        ("mnli", "pawsx", 2): status.MISSING,
        ("mnli", "tatoeba", 2): status.RUNNING,
    }


def test_failed_base_model_fails_every_cell_but_done_ones(root):
    touch(root, "logs/base_model.log", "Killed\n")
    touch(root, "results/scores/mnli/pawsx/seed2.json", "{}")
    found = states(root)
    assert found.pop(("mnli", "pawsx", 2)) == status.DONE
    assert set(found.values()) == {status.FAILED}


def test_long_output_paths_split_into_marker_folders(root):
    path = "results/predictions/mnli/tatoeba/seed1.json"
    encoded = urlsafe_b64encode(path.encode()).decode()
    touch(root, f".snakemake/incomplete/@{encoded[:10]}/{encoded[10:]}")
    assert status.incomplete_outputs(root) == {path}


def test_unavailable_rows_and_the_printed_grid(root, monkeypatch):
    monkeypatch.setattr(status, "unavailable_rows", lambda config: {"mnli": "no data"})
    touch(root, "results/scores/baseline/pawsx/seed1.json", "{}")
    touch(root, "logs/score/baseline/tatoeba/seed1.log", "KeyError: 'x'\n")
    text = status.status_text(CONFIG, status.grid(CONFIG, root))
    assert text.splitlines() == [
        "seed 1    pawsx        tatoeba",
        "baseline  done         failed",
        "mnli      unavailable  unavailable",
        "",
        "seed 2    pawsx        tatoeba",
        "baseline  missing      missing",
        "mnli      unavailable  unavailable",
        "",
        "1 done, 1 failed, 4 unavailable, 2 missing",
        "failed: see logs/score/baseline/tatoeba/seed1.log",
    ]


def test_command_reads_the_configuration(tmp_path):
    shutil.copytree(REPO / "config", tmp_path / "config")
    touch(tmp_path, "results/scores/baseline/pawsx/seed1.json", "{}")
    shown = subprocess.run([sys.executable, str(REPO / "scripts/status.py"), "--root",
                            str(tmp_path), "--configfile", str(REPO / "config/demo.yaml")],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert shown[0].split()[:4] == ["seed", "1", "xnli", "pawsx"]
    assert shown[1].split()[:3] == ["baseline", "missing", "done"]


def test_a_shared_model_decides_the_cells_it_predicts(root):
    # MLQA is predicted with XQuAD's SQuAD model; the demo baseline's SQuAD targets with the
    # SQuAD intermediate model (xstilts.config.sharing)
    config = demo_grid(["mnli", "squad_v1"], ["xquad", "mlqa"])
    (root / "models/target/mnli/xquad/seed1.work").mkdir(parents=True)
    touch(root, "logs/train_intermediate/squad_v1/seed1.log", "Traceback (most recent call "
          "last):\nValueError: x\n")
    touch(root, "logs/predict_target/mnli/mlqa/seed2.log", "OSError: disk full\n")
    found = status.grid(config, root)
    assert found["mnli", "mlqa", 1][0] == status.RUNNING  # its model is training
    assert found["mnli", "mlqa", 1][1].output == "models/target/mnli/xquad/seed1"
    assert found["mnli", "mlqa", 2][1].log == "logs/predict_target/mnli/mlqa/seed2.log"
    for target in ("xquad", "mlqa"):
        assert found["baseline", target, 1][0] == status.FAILED
        assert found["baseline", target, 1][1].output == "models/intermediate/squad_v1/seed1"
