"""Running the workflow in a fresh copy of its files (shared by the workflow tests)."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

from xstilts.runtime.checkout import ROOT, copy_workflow  # noqa: F401 - shared with the tests

BIN = Path(sys.executable).parent


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 600):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([str(BIN / "snakemake"), *args], cwd=workdir, env=env,
                            capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    return result


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run, as {rule: count}."""
    block = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = {}
    for line in block.splitlines():
        match = re.fullmatch(r"(\w+)\s+(\d+)", line.strip())
        if match and match.group(1) != "total":
            counts[match.group(1)] = int(match.group(2))
    return counts


# The end-to-end tests build a slice of the demo grid that still exercises every format
# (pair classification, extractive QA, multiple choice, tagging, retrieval, multi-task),
# so the suite stays within minutes; the full demo grid is the README's command.
SLICE_ROWS = ["baseline", "mnli", "squad_v1", "hellaswag", "ccg", "multitask"]
SLICE_LANGUAGES = {  # target tasks in Table 2's column order, with their demo languages
    "pawsx": {"en", "de", "fr", "zh"},
    "udpos": {"en", "de", "ru", "zh", "kk"},
    "xquad": {"en", "de", "ru", "zh"},
    "tatoeba": {"de", "ru", "zh", "ar"},
}
SLICE = ("experiment:\n  intermediate: [mnli, squad_v1, hellaswag, ccg, multitask]\n"
         "  targets: [pawsx, udpos, xquad, tatoeba]\n")
# --configfile takes several files, so targets go before it.
DEMO = ("--configfile", "config/demo.yaml", "slice.yaml")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


# Where tests train by hand in a built workflow: beside its outputs, never among them, so
# that the grid's audit (the default target's last job) finds only what the workflow wrote.
BY_HAND = "by_hand"


def train_command(workdir: Path, job: tuple, name: str) -> list[str]:
    """The arguments of scripts/train.py for a demo `job` (kind, task, ...) of seed 1 from
    the base model, writing by_hand/<name> (and by_hand/<name>.json for a target task)."""
    from xstilts.config import load, resolve_task

    kind, task, *_ = job
    config = load([workdir / "config/config.yaml", *(workdir / path for path in DEMO[1:])])
    spec = resolve_task(config, kind, task, seed=1)
    predictions = ["--predictions", f"{BY_HAND}/{name}.json"] if kind == "target_tasks" else []
    return ["--spec", spec.to_json(), "--init", "models/base", "--data", "data/prepared",
            "--output", f"{BY_HAND}/{name}", *predictions, "--threads", "1",
            "--checkpoint-minutes", "0"]  # a checkpoint at every evaluation
