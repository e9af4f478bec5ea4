"""Time the bootstrap intervals of the paper-sized Table 2 on synthetic per-example scores.

The grid of config/config.yaml (11 rows: the baseline and ten intermediate tasks, the nine
target tasks with every evaluation language), each language with a dev set of roughly
its real size, per-example material of the kind its metric keeps (0/1 accuracy, QA EM and
F1, per-sentence tagging counts, per-source-sentence BUCC counts). Times reading the score
files' JSON, the resampling (xstilts.report.intervals.summaries) and writing the long form
and the interval table, as the table2 job does them.

    python benchmarks/bootstrap.py                       # 1000 resamples, one seed
    python benchmarks/bootstrap.py --seeds 3 --resamples 1000

BLAS runs on one thread, as in the table2 job (Snakemake sets OPENBLAS_NUM_THREADS and
the like to a job's threads): on small products, threads that wait for a busy core cost
ten times the work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")  # before numpy loads BLAS

import numpy as np  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a source checkout

from xstilts.metrics import bootstrap  # noqa: E402
from xstilts.report.intervals import (  # noqa: E402
    Settings,
    interval_table,
    jointly_resampled,
    summaries,
    with_intervals,
)
from xstilts.report.table2 import long_form  # noqa: E402

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
ROWS = ["baseline", "anli_plus", "mnli", "qqp", "squad_v1", "squad_v2", "hellaswag",
        "cosmosqa", "commonsenseqa", "ccg", "multitask"]
# examples per language, about the largest real dev sets (PAN-X: 10,000 sentences for most
# languages; BUCC: the source sentences of the sample set's corpus)
SIZES = {"xnli": 2490, "pawsx": 2000, "udpos": 2000, "panx": 10000, "xquad": 1190,
         "mlqa": 1100, "tydiqa": 1000, "bucc": 30000, "tatoeba": 1000}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seeds", type=int, default=1, help="runs of the grid (default 1)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="examples per language x this (a quick smoke run: 0.01)")
    return parser.parse_args(argv)


# the parallel test sets, whose items the bootstrap draws once for all languages
PARALLEL = {"xnli", "pawsx", "xquad", "mlqa"}


def synthetic_material(metric: str, n: int, rng: np.random.Generator,
                       parallel: bool) -> tuple[dict, dict]:
    """(material, reported metrics) of one language with n examples."""
    ids = [str(i) for i in range(n)]
    items = ids if parallel else None
    if metric in ("squad", "mlqa"):
        f1 = np.clip(rng.normal(0.7, 0.3, n), 0, 1)
        columns = {"exact_match": (f1 == 1).astype(int).tolist(), "f1": f1.tolist()}
    elif metric in ("accuracy", "tatoeba_accuracy"):
        columns = {"accuracy": (rng.random(n) < 0.8).astype(int).tolist()}
    else:  # corpus-level F1 from per-sentence counts
        gold = rng.poisson(2.0 if metric != "bucc_f1" else 0.1, n)
        predicted = rng.binomial(gold + 1, 0.8)
        correct = np.minimum(gold, rng.binomial(predicted, 0.8))
        columns = {"gold": gold.tolist(), "predicted": predicted.tolist(),
                   "correct": correct.tolist()}
        kind = bootstrap.COUNTS
        statistics = bootstrap.statistics(kind, {k: np.sum(v) for k, v in columns.items()}, n)
        reported = {"f1": float(statistics["f1"])} if metric != "bucc_f1" else {
            name: float(value) for name, value in statistics.items()}
        return bootstrap.material(kind, ids, columns, items), reported
    reported = {name: 100.0 * float(np.mean(values)) for name, values in columns.items()}
    return bootstrap.material(bootstrap.MEAN, ids, columns, items), reported


def synthetic_runs(config: dict, seeds: int, sizes: dict[str, int]) -> tuple[dict, dict]:
    """({(row, target, seed): score result as JSON text}, {target: category})."""
    rng = np.random.default_rng(0)
    targets = config["experiment"]["targets"]
    runs = {}
    for target in targets:
        task = config["target_tasks"][target]
        for row in ROWS:
            for seed in range(1, seeds + 1):
                examples, languages = {}, {}
                for language in task["languages"]:
                    examples[language], languages[language] = synthetic_material(
                        task["metric"], sizes[target], rng, target in PARALLEL)
                runs[row, target, seed] = json.dumps(
                    {"metric": task["metric"], "languages": languages, "examples": examples,
                     "score": 0.0})
    return runs, {t: config["target_tasks"][t]["category"] for t in targets}


def main() -> None:
    args = parse_args()
    config = yaml.safe_load(CONFIG.read_text())
    sizes = {target: max(1, round(n * args.scale)) for target, n in SIZES.items()}
    texts, categories = synthetic_runs(config, args.seeds, sizes)
    megabytes = sum(len(text) for text in texts.values()) / 2**20
    cpu_started, started = time.process_time(), time.perf_counter()
    runs = {key: json.loads(text) for key, text in texts.items()}
    del texts
    loaded = time.perf_counter()
    settings = Settings(resamples=args.resamples, seed=0, confidence=0.95)
    numbers = summaries(runs, list(range(1, args.seeds + 1)), categories, settings)
    resampled = time.perf_counter()
    _, long_body = with_intervals(*long_form(runs), numbers)
    _, table_body = interval_table(numbers, ROWS, list(categories), categories,
                                   jointly_resampled(runs))
    done, cpu = time.perf_counter(), time.process_time() - cpu_started
    languages = sum(len(config["target_tasks"][t]["languages"]) for t in categories)
    examples = sum(sizes[t] * len(config["target_tasks"][t]["languages"]) for t in categories)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"grid: {len(ROWS)} rows x {len(categories)} targets ({languages} target languages, "
          f"{examples} examples per row and seed), seeds={args.seeds} "
          f"resamples={args.resamples}")
    print(f"score_json_mib={megabytes:.0f} json_load_s={loaded - started:.1f} "
          f"bootstrap_s={resampled - loaded:.1f} tables_s={done - resampled:.1f} "
          f"total_s={done - started:.1f} cpu_s={cpu:.1f} long_rows={len(long_body)} "
          f"interval_rows={len(table_body)} peak_rss_mib={peak:.0f}")


if __name__ == "__main__":
    main()
