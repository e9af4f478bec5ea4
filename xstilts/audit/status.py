"""Where Table 2 stands, from what is on disk: safe mid-run and on a login node (it runs
nothing, takes no Snakemake lock and imports no torch).

Each seed of each cell (row x target) is the chain of jobs that produces its score file:
score <- train_target (evaluate_retrieval for retrieval targets) <- train_intermediate
(not for the baseline row) <- base_model. A cell is

- done: its score file exists;
- running: some job of its chain has left work in progress: a `.work` or `.partial`
  beside its output (xstilts.spec.paths.IN_PROGRESS), or a Snakemake
  `.snakemake/incomplete` marker for it (a run killed without cleaning up shows as running
  too, until it is resumed);
- failed: some job of its chain has no output and its log ends in an error;
- missing: none of these (not started yet);
- unavailable: its row's user-supplied data is missing (xstilts.config.unavailable_rows).

The paths are the workflow's path contract, xstilts.spec.paths.
"""

from __future__ import annotations

import re
from base64 import urlsafe_b64decode
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from xstilts.config import BASELINE, rows, unavailable_rows
from xstilts.config.sharing import SharedModels, grid_sharing
from xstilts.formats import Kind, kind_of
from xstilts.spec import paths

DONE, RUNNING, FAILED, MISSING, UNAVAILABLE = (
    "done", "running", "failed", "missing", "unavailable")
INCOMPLETE = Path(".snakemake/incomplete")
ERROR = re.compile(r"^Traceback \(most recent call last\)|^\w*(Error|Exception)\b|^Killed",
                   re.MULTILINE)


@dataclass(frozen=True)
class JobOutput:
    output: str  # the output whose presence means the job finished
    log: str


def chain(row: str, target: str, seed: int, retrieval: bool,
          sharing: SharedModels) -> list[JobOutput]:
    """The jobs a cell's score depends on, the score job first."""
    cell = {"intermediate": row, "target": target, "seed": seed}
    jobs = [JobOutput(paths.fill(paths.SCORES, **cell), paths.fill(paths.SCORE_LOG, **cell))]
    source = None if retrieval else sharing.source(row, target, BASELINE)
    if retrieval:
        jobs.append(JobOutput(paths.fill(paths.PREDICTIONS, **cell),
                        paths.fill(paths.RETRIEVAL_LOG, intermediate=row, seed=seed)))
    elif source != ("target", target):  # predicted with a model trained for another task
        jobs.append(JobOutput(paths.fill(paths.PREDICTIONS, **cell),
                              paths.fill(paths.PREDICT_LOG, **cell)))
    if source and source[0] == "target":
        owner = {**cell, "target": source[1]}
        jobs.append(JobOutput(paths.fill(paths.TARGET_MODEL, **owner),
                              paths.fill(paths.TARGET_LOG, **owner)))
    models = [row] if row != BASELINE else []
    if source and source[0] == "intermediate":
        models.append(source[1])
    for task in models:
        jobs.append(JobOutput(paths.fill(paths.INTERMEDIATE_MODEL, task=task, seed=seed),
                        paths.fill(paths.INTERMEDIATE_LOG, task=task, seed=seed)))
    return [*jobs, JobOutput(paths.BASE_MODEL, paths.BASE_MODEL_LOG)]


def incomplete_outputs(root: Path) -> set[str]:
    """Outputs Snakemake marked incomplete: jobs that started and have not finished."""
    markers = Path(root) / INCOMPLETE
    if not markers.is_dir():
        return set()
    # a marker's name is its output path, urlsafe base64; long ones split into "@" folders
    return {urlsafe_b64decode("".join(part.lstrip("@") for part in
                                      path.relative_to(markers).parts)).decode()
            for path in markers.rglob("*") if path.is_file()}


def job_state(root: Path, job: JobOutput, incomplete: set[str]) -> str:
    output = Path(root) / job.output
    if output.exists():
        return DONE
    if job.output in incomplete or any(
            paths.beside(output, suffix).exists() for suffix in paths.IN_PROGRESS):
        return RUNNING
    log = Path(root) / job.log
    if log.is_file() and ERROR.search(log.read_text(errors="replace")):
        return FAILED
    return MISSING


def cell_state(root: Path, jobs: list[JobOutput],
               incomplete: set[str]) -> tuple[str, JobOutput | None]:
    """(state, the job that decides it) of one seed of one cell."""
    if job_state(root, jobs[0], incomplete) == DONE:
        return DONE, jobs[0]
    states = [(job_state(root, job, incomplete), job) for job in jobs]
    for wanted in (RUNNING, FAILED):
        for state, job in states:
            if state == wanted:
                return state, job
    return MISSING, None


def grid(config: dict, root: Path = Path(".")) -> dict[tuple[str, str, int], tuple]:
    """{(row, target, seed): (state, deciding job)} over Table 2's rows, targets, seeds."""
    incomplete = incomplete_outputs(root)
    unavailable = unavailable_rows(config)
    sharing = grid_sharing(config)
    states = {}
    for seed in config["seeds"]:
        for row in rows(config):
            for target in config["experiment"]["targets"]:
                if row in unavailable:
                    states[row, target, seed] = UNAVAILABLE, None
                    continue
                retrieval = kind_of(config["target_tasks"][target]["format"]) is Kind.EVALUATED
                states[row, target, seed] = cell_state(
                    root, chain(row, target, seed, retrieval, sharing), incomplete)
    return states


def status_text(config: dict, states: dict) -> str:
    """One table of states per seed, then the counts and the logs of failed jobs."""
    targets = config["experiment"]["targets"]
    table_rows = rows(config)
    width = max(len(name) for name in [*table_rows, "seed 000"])
    columns = max(len(name) for name in [*targets, UNAVAILABLE])
    lines = []
    for seed in config["seeds"]:
        lines.append(f"{f'seed {seed}':<{width}}  "
                     + "  ".join(f"{t:<{columns}}" for t in targets).rstrip())
        lines += [f"{row:<{width}}  " + "  ".join(
            f"{states[row, t, seed][0]:<{columns}}" for t in targets).rstrip()
            for row in table_rows]
        lines.append("")
    counts = Counter(state for state, _ in states.values())
    lines.append(", ".join(f"{count} {state}" for state, count in counts.items()))
    failed_logs = sorted({job.log for state, job in states.values() if state == FAILED})
    lines += [f"failed: see {log}" for log in failed_logs]
    return "\n".join(lines)
