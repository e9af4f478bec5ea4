"""Each distinct training runs once: targets of one training share its model.

XQuAD and MLQA both fine-tune on SQuAD v1.1 and select on its dev set; the baseline's SQuAD
target starts, like the SQuAD intermediate task, from the base model. Which of them share
is worked out from the resolved specs (xstilts.config.sharing); the workflow trains one
model and predicts the others from it, and the shared model is the one training would have
made, byte for byte.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from workflow import BIN, copy_workflow, snakemake

from xstilts.config import load, resolve_task
from xstilts.config.sharing import grid_sharing, training_identity
from xstilts.runtime.checkout import ROOT
from xstilts.store.provenance import UNRECORDED, sha256_file

GRID = "experiment:\n  intermediate: [squad_v1]\n  targets: [xquad, mlqa]\n"
CONFIG = ("--configfile", "config/demo.yaml", "grid.yaml")
SCORES = [f"results/scores/{row}/{target}/seed1.json"
          for row in ("baseline", "squad_v1") for target in ("xquad", "mlqa")]


def config_of(*overlays: str) -> dict:
    return load([ROOT / "config" / name for name in overlays])


def test_paper_grid_shares_the_squad_model_of_xquad_and_mlqa_only():
    sharing = grid_sharing(config_of("config.yaml"))
    assert sharing.owner["mlqa"] == "xquad"
    assert {t for t, owner in sharing.owner.items() if owner != t} == {"mlqa"}
    # the paper's SQuAD intermediate task trains 3 epochs, its targets 2: nothing to reuse
    assert sharing.baseline_reads == {}


def test_demo_baseline_reads_intermediate_models_where_the_training_is_the_same():
    config = config_of("config.yaml", "demo.yaml")
    sharing = grid_sharing(config)
    assert sharing.baseline_reads == {"xnli": "mnli", "xquad": "squad_v1", "mlqa": "squad_v1"}
    assert sharing.source("baseline", "mlqa", "baseline") == ("intermediate", "squad_v1")
    assert sharing.source("mnli", "mlqa", "baseline") == ("target", "xquad")
    # what tells them apart is training only: another learning rate, another model
    changed = {**config, "target_tasks": {**config["target_tasks"], "mlqa": {
        **config["target_tasks"]["mlqa"], "epochs": 3}}}
    assert grid_sharing(changed).owner["mlqa"] == "mlqa"


def test_evaluation_keys_do_not_split_a_training_but_selection_keys_do():
    config = config_of("config.yaml")
    xquad, mlqa = (resolve_task(config, "target_tasks", name, 1) for name in ("xquad", "mlqa"))
    assert (xquad.metric, mlqa.metric) == ("squad", "mlqa")  # only evaluation reads it
    assert training_identity(xquad) == training_identity(mlqa)
    # a tagging target selects its checkpoint on its own metric: it stays in the identity
    udpos = resolve_task(config, "target_tasks", "udpos", 1)
    assert '"metric"' in training_identity(udpos)


@pytest.mark.workflow
def test_shared_models_predict_and_equal_the_training_they_replace(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "grid.yaml").write_text(GRID)
    result = snakemake(workdir, "--cores", "2", *SCORES, *CONFIG, timeout=900)
    assert "predict_shared_target" in result.stderr
    assert not (workdir / "models/target/squad_v1/mlqa").exists()
    assert not (workdir / "models/target/baseline").exists()

    def checkpoint(row, target):
        record = json.loads((workdir / f"results/predictions/{row}/{target}/seed1.json")
                            .read_text())["provenance"]
        return record["inputs"]["checkpoint"]["path"], record.get("model_trained_for")

    # XQuAD and MLQA scores of one row name the same checkpoint
    assert checkpoint("squad_v1", "xquad") == ("models/target/squad_v1/xquad/seed1", None)
    assert checkpoint("squad_v1", "mlqa") == ("models/target/squad_v1/xquad/seed1", "xquad")
    for target in ("xquad", "mlqa"):
        assert checkpoint("baseline", target) == ("models/intermediate/squad_v1/seed1",
                                                  "squad_v1")
    for path in SCORES:
        assert json.loads((workdir / path).read_text())["languages"]

    # the baseline's XQuAD training, run by hand, makes the intermediate model byte for byte
    config = load([workdir / "config/config.yaml", workdir / "config/demo.yaml",
                   workdir / "grid.yaml"])
    spec = resolve_task(config, "target_tasks", "xquad", 1)
    subprocess.run([str(BIN / "python"), "scripts/train.py", "--spec", spec.to_json(),
                    "--init", "models/base", "--data", "data/prepared", "--output",
                    str(workdir / "trained-by-hand")], cwd=workdir, check=True, capture_output=True,
                   timeout=600)
    shared = workdir / "models/intermediate/squad_v1/seed1"
    weights = sorted(path.name for path in shared.iterdir() if path.name not in UNRECORDED)
    assert "model.safetensors" in weights
    for name in weights:
        assert sha256_file(workdir / "trained-by-hand" / name) == sha256_file(shared / name), name
