"""Interrupted and repeated demo runs end with exactly the results of an uninterrupted one.

A small grid (mnli x pawsx, tatoeba: every stage of the pipeline, about 35 jobs) is built
once without interruption; a second build from scratch in another directory is killed
(SIGKILL to Snakemake and all its jobs, as a lost node or a killed terminal would) at
seeded moments of its progress (shortly after its k-th job has started, so every kill
lands inside the build on a fast or a slow machine), restarted each time with the
README's flags, and must end with byte-identical tables, figures and predictions. The two
builds from scratch are also the determinism check: nothing may differ between them but
what provenance records declare variable (times, hosts).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import time

import pytest
from workflow import BIN, copy_workflow, snakemake

pytestmark = pytest.mark.workflow

GRID = "experiment:\n  intermediate: [mnli]\n  targets: [pawsx, tatoeba]\n"
CONFIG = ("--configfile", "config/demo.yaml", "grid.yaml")
IDENTICAL = ["results/table2.csv", "results/table2_long.csv", "results/table1.csv",
             "results/paper_comparison.csv"]


def fresh_workflow(directory):
    workdir = copy_workflow(directory)
    (workdir / "grid.yaml").write_text(GRID)
    return workdir


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    workdir = fresh_workflow(tmp_path_factory.mktemp("uninterrupted"))
    snakemake(workdir, "--cores", "2", *CONFIG, timeout=900)
    return workdir


JOB_START = re.compile(r"^(local)?rule \w+:$")


def killed_after_job_starts(workdir, starts: int, delay: float) -> bool:
    """Start the build; `delay` seconds after its `starts`-th job has started, kill it and
    its jobs. False if the build finished first (it had fewer jobs left than `starts`)."""
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen([str(BIN / "snakemake"), "--cores", "2", *CONFIG], cwd=workdir,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    seen = 0
    for line in process.stderr:  # Snakemake announces each job it starts on stderr
        seen += bool(JOB_START.match(line.strip()))
        if seen == starts:
            time.sleep(delay)  # into the job, not between jobs
            break
    finished = process.poll() is not None
    if not finished:
        os.killpg(process.pid, signal.SIGKILL)
    process.stderr.close()
    process.wait()
    return not finished


def results_of(workdir) -> dict:
    """What must be identical: tables and figures byte for byte, predictions and scores
    without their provenance (which records times and hosts)."""
    files = {path: (workdir / path).read_bytes() for path in IDENTICAL}
    files |= {str(path.relative_to(workdir)): path.read_bytes()
              for path in sorted((workdir / "results/figures").iterdir())}
    for kind in ("predictions", "scores"):
        for path in sorted((workdir / "results" / kind).rglob("*.json")):
            content = json.loads(path.read_text())
            content.pop("provenance", None)
            files[str(path.relative_to(workdir))] = content
    return files


def test_killed_runs_end_like_an_uninterrupted_one(uninterrupted, tmp_path):
    workdir = fresh_workflow(tmp_path)
    rng = random.Random(20201204)
    kills = 0
    for _ in range(3):
        # the grid has about 35 jobs: three kills within their first 3-8 always land
        if killed_after_job_starts(workdir, rng.randint(3, 8), rng.uniform(0.5, 3)):
            kills += 1
            # a killed Snakemake leaves its lock behind: unlock, then rerun (README)
            snakemake(workdir, "--unlock", *CONFIG)
    assert kills == 3
    snakemake(workdir, "--cores", "2", *CONFIG, timeout=900)
    expected = results_of(uninterrupted)
    # not vacuous: figures, trained and retrieval predictions and scores are compared
    assert {"results/figures/improvement_heatmap.png", "results/predictions/mnli/pawsx/seed1.json",
            "results/scores/mnli/tatoeba/seed1.json"} <= set(expected)
    assert results_of(workdir) == expected
    leftovers = [path for pattern in ("*.partial", "*.work") for path in workdir.rglob(pattern)]
    assert not leftovers

