"""Time `audit --all` (no --deep) on a paper-sized synthetic grid, and its peak memory.

The grid of config/config.yaml: 11 rows (the baseline and ten intermediate tasks) x the
nine target tasks x `--seeds` seeds, every target with all its evaluation languages and
about its real dev-set size per language (benchmarks/bootstrap.py's SIZES). Every file is
written by the project's own code, so the audit does all its work on it: a prepared gold
split per target and language, a small checkpoint per model, predictions and score files
with their records (scored by xstilts.evaluate.scoring, each target as a pair
classification of its real size), and Table 2 with its intervals (the config's 1000
resamples). The audit then scores every file again, builds Table 2 again and hashes
every file. Building the grid is not timed.

    python benchmarks/audit.py                      # 3 seeds, real sizes
    python benchmarks/audit.py --seeds 1 --scale 0.01   # a quick smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # before numpy loads BLAS, as in the table2 job

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bootstrap import CONFIG, ROWS, SIZES  # noqa: E402

from xstilts.audit import verify  # noqa: E402
from xstilts.config import load_schema  # noqa: E402
from xstilts.evaluate.scoring import score_file  # noqa: E402
from xstilts.report.outputs import publish  # noqa: E402
from xstilts.spec import TaskSpec, paths  # noqa: E402
from xstilts.store import provenance  # noqa: E402

LABELS = ["no", "yes"]
HPARAMS = {key: value["default"]  # the schema's defaults, as a resolved task has them
           for key, value in load_schema()["definitions"]["hparams"]["properties"].items()}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="examples per language x this (a quick smoke run: 0.01)")
    return parser.parse_args(argv)


def spec_of(config: dict, target: str, seed: int) -> TaskSpec:
    task = config["target_tasks"][target]
    return TaskSpec.from_dict({
        "task": target, "kind": "target_tasks", "format": "pair_classification",
        "precision": "fp32", "seed": seed, "metric": "accuracy", "category": task["category"],
        "languages": task["languages"], "hparams": HPARAMS,
        "eval": {"dataset": target, "split": "validation"}})


def prepare(target: str, languages: list[str], size: int, rng: np.random.Generator) -> None:
    directory = Path(paths.fill(paths.PREPARED, dataset=target))
    files = {}
    for language in languages:
        split = directory / language / "validation.parquet"
        split.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.table({"id": [str(i) for i in range(size)],
                                 "label": rng.integers(0, 2, size).tolist()}), split)
        files[f"{language}/validation"] = {"rows": size, "sha256": provenance.sha256_file(split)}
    provenance.write_json_atomic(directory / provenance.MANIFEST, {
        "dataset": target, "format": "pair_classification", "label_names": LABELS,
        "source": {"source": "demo", "revision": "synthetic"}, "files": files})


def checkpoint(directory: str, init: str | None) -> None:
    Path(directory).mkdir(parents=True, exist_ok=True)
    (Path(directory) / "model.safetensors").write_bytes(os.urandom(4096))
    inputs = {"init": provenance.checkpoint_ref(init)} if init else {}
    provenance.record_checkpoint(Path(directory), "checkpoint", {"kind": "target_tasks"},
                                 inputs, "t0")


def build_grid(config: dict, seeds: list[int], scale: float) -> list[str]:
    """The synthetic grid in the working directory; the score files."""
    rng = np.random.default_rng(0)
    targets = config["experiment"]["targets"]
    for target in targets:
        prepare(target, config["target_tasks"][target]["languages"],
                max(1, round(SIZES[target] * scale)), rng)
    checkpoint(paths.BASE_MODEL, None)
    scores = []
    for row in ROWS:
        for seed in seeds:
            init = paths.BASE_MODEL
            if row != "baseline":
                init = paths.fill(paths.INTERMEDIATE_MODEL, task=row, seed=seed)
                checkpoint(init, paths.BASE_MODEL)
            for target in targets:
                scores.append(run(config, row, target, seed, init, rng))
    return scores


def run(config: dict, row: str, target: str, seed: int, init: str,
        rng: np.random.Generator) -> str:
    spec = spec_of(config, target, seed)
    model = paths.fill(paths.TARGET_MODEL, intermediate=row, target=target, seed=seed)
    checkpoint(model, init)
    data = Path(paths.DATA)
    predicted = {}
    for language in spec.languages:
        manifest = json.loads((data / target / provenance.MANIFEST).read_text())
        size = manifest["files"][f"{language}/validation"]["rows"]
        predicted[language] = {str(i): LABELS[int(label)]
                               for i, label in enumerate(rng.integers(0, 2, size))}
    predictions = paths.fill(paths.PREDICTIONS, intermediate=row, target=target, seed=seed)
    provenance.write_result(Path(predictions), {
        "predictions": predicted,
        "provenance": provenance.predictions_record(spec, Path(model), data, "t0")})
    score = paths.fill(paths.SCORES, intermediate=row, target=target, seed=seed)
    provenance.write_result(Path(score), {
        **score_file(spec, data, {"predictions": predicted}),
        "provenance": provenance.scores_record(spec, Path(predictions), data, "t0")})
    return score


def main() -> None:
    args = parse_args()
    config = yaml.safe_load(CONFIG.read_text())
    seeds = list(range(1, args.seeds + 1))
    targets = config["experiment"]["targets"]
    # the grid's records are written in one process: its code is looked at once
    provenance.code_version = functools.cache(provenance.code_version)
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch):
        built = time.perf_counter()
        scores = build_grid(config, seeds, args.scale)
        layout = {"rows": ROWS, "targets": targets, "seeds": seeds,
                  "categories": {t: config["target_tasks"][t]["category"] for t in targets}}
        publish("table", params={"layout": layout, "bootstrap": config["bootstrap"]},
                inputs={"scores": scores},
                outputs={kind: paths.grid_file(kind, paths.TABLE2_GRID)
                         for kind in ("table", "long", "ci", "records")},
                record=paths.grid_file("provenance", paths.TABLE2_GRID))
        built = time.perf_counter() - built
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        result = verify.audit_published(Path("."))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        checked = result.checked()
        statuses = {status: sum(item.status == status for item in checked)
                    for status in {item.status for item in checked}}
        examples = sum(len(config["target_tasks"][t]["languages"])
                       * max(1, round(SIZES[t] * args.scale)) for t in targets)
    print(f"grid: {len(ROWS)} rows x {len(targets)} targets x {len(seeds)} seeds "
          f"({len(scores)} score files, {examples} examples per row and seed), "
          f"scale={args.scale}; built in {built:.0f} s (not timed)")
    print(f"audit_s={seconds:.1f} cpu_s={cpu:.1f} peak_rss_mib={peak:.0f} "
          f"(before the audit: {peak_before:.0f}) failed={int(verify.failed(checked))} "
          f"verdicts={statuses} "
          f"root={result.digest.root[:12]}")


if __name__ == "__main__":
    main()
