"""Every path the workflow writes, defined once: each a Snakemake pattern whose `{wildcards}`
the rules fill (`output: paths.SCORES`, `expand(paths.PREDICTIONS, ...)`) and the readers
fill with `fill` (xstilts.audit, xstilts.report.plan). `tests/unit/spec/test_paths.py` refuses these
paths typed anywhere else.

Directory contract (every path is produced by exactly one rule):

    data/prepared/<dataset>/                      canonical parquet + manifest.json  (data.smk)
    models/base/                                  base checkpoint + tokenizer        (data.smk)
    models/intermediate/<task>/seed<s>/           selected intermediate checkpoint  (train.smk)
    models/target/<intermediate>/<target>/seed<s>/  selected target checkpoint      (train.smk)
    results/predictions/<intermediate>/<target>/seed<s>.json  zero-shot predictions, all
                                                  languages, dev and test splits (train.smk;
                                                  evaluate.smk for shared models, BUCC,
                                                  Tatoeba)
    results/scores/<intermediate>/<target>/seed<s>.json  official metric per language
                                                                                (evaluate.smk)
    results/table2{,_long,_records}.csv           Table 2, its long form, record ids (tables.smk)
    results/table2_improvement_ci.csv             bootstrap intervals, significance  (tables.smk)
    results/table_<name>{,_long,_records,_improvement_ci}.csv  extra tables: MLM,
                                                  translated data                    (tables.smk)
    results/table3.csv                            test sets, best intermediate task per target
    results/translation_quality.csv               chrF/BLEU of translated data     (tables.smk)
    results/table1.csv, results/paper_comparison.csv                                 (tables.smk)
    results/figures/, results/curves/, results/report_tables/
                                                  figures, curves, report pages     (report.smk)
    logs/<rule>/...                               one log per job

<intermediate> is an intermediate task or `baseline` (the base model itself); <s> is one of
the config's `seeds`: seed s of a target model starts from seed s of its intermediate model.
Every file and directory appears under its final name only when
complete: a job writes `<output>.partial` and renames it (xstilts.store.atomic); a training
job keeps its resume checkpoints in `<checkpoint>.work/` beside its output (xstilts.train.loop).

This module imports nothing from the project (the bottom stage).
"""

from __future__ import annotations

import string
from pathlib import Path

# --- work in progress -------------------------------------------------------------------------
PARTIAL = ".partial"  # a file or directory being written, renamed when complete
WORK = ".work"  # a training job's resume checkpoints, beside the checkpoint it will write
TRASH = ".trash"  # a finished job's work directory while it is deleted
IN_PROGRESS = (WORK, PARTIAL)  # what a job leaves beside its output before renaming


def beside(path: Path | str, suffix: str) -> Path:
    """`path` with `suffix` appended to its name: where its work in progress lies."""
    path = Path(path)
    return path.with_name(path.name + suffix)


def partial_path(path: Path | str) -> Path:
    return beside(path, PARTIAL)


def work_dir(checkpoint: Path | str) -> Path:
    return beside(checkpoint, WORK)


# --- configuration the workflow writes -------------------------------------------------------
REVISIONS_LOCK = "config/revisions.lock.yaml"  # hub branches resolved to commits (commit it)

# --- data and models --------------------------------------------------------------------------
DATA = "data/prepared"  # the root the jobs read prepared datasets from
PREPARED = DATA + "/{dataset}"
BASE_MODEL = "models/base"
INTERMEDIATE_MODEL = "models/intermediate/{task}/seed{seed}"
TARGET_MODEL = "models/target/{intermediate}/{target}/seed{seed}"

# files a training job writes into its checkpoint, beside the weights
LOG_HISTORY = "log_history.jsonl"  # the Trainer's log: loss, lr, grad norm, evaluations
TENSORBOARD = "tensorboard"  # event files, with `report_to: tensorboard`
MODEL_CARD = "README.md"  # written from the checkpoint's provenance record

# --- predictions and scores -------------------------------------------------------------------
PREDICTIONS = "results/predictions/{intermediate}/{target}/seed{seed}.json"
SCORES = "results/scores/{intermediate}/{target}/seed{seed}.json"

# --- grid tables: Table 2 and the extra tables (same files, other rows) -----------------------
GRID = {
    "table": "results/{grid}.csv",
    "long": "results/{grid}_long.csv",
    # each cell's bootstrap interval and its improvement's, per language too
    "ci": "results/{grid}_improvement_ci.csv",
    # each cell's score-file record ids, for `scripts/audit.py`
    "records": "results/{grid}_records.csv",
    # the hashes of the score files read and of the tables written
    "provenance": "results/{grid}.provenance.json",
}
TABLE2_GRID = "table2"
EXTRA_GRID = "table_{table}"  # results/table_<name>.csv: config `extra_tables`

# --- summaries --------------------------------------------------------------------------------
TABLE1 = "results/table1.csv"
TABLE3 = "results/table3.csv"
PAPER_COMPARISON = "results/paper_comparison.csv"
TRANSLATION_QUALITY = "results/translation_quality.csv"
TRANSLATION_QUALITY_PROVENANCE = "results/translation_quality.provenance.json"
RESULTS = "results"  # every published output lies below; records end in RECORD_SUFFIX
RECORD_SUFFIX = ".provenance.json"
FIGURES = "results/figures"
FIGURE = FIGURES + "/{figure}.{extension}"
CURVES = "results/curves"  # one figure per trained model, from its log history
REPORT_TABLES = "results/report_tables"  # the tables as HTML pages for `snakemake --report`
# The audit of everything above (scripts/audit.py --all): the root digest to publish, and the
# report's page of it; the digest leaves them out, as they hold it.
AUDIT = "results/audit"
AUDIT_DIGEST = AUDIT + "/digest.json"
AUDIT_PAGE = AUDIT + "/digest.html"



def provenance_of(output: str) -> str:
    """The record of a published output written by one job: results/<name>.provenance.json
    beside results/<name>.csv (a directory of figures: beside the directory)."""
    return str(Path(output).with_suffix("")) + RECORD_SUFFIX


TABLE1_PROVENANCE = provenance_of(TABLE1)
TABLE3_PROVENANCE = provenance_of(TABLE3)
PAPER_COMPARISON_PROVENANCE = provenance_of(PAPER_COMPARISON)
FIGURES_PROVENANCE = provenance_of(FIGURES)
CURVES_PROVENANCE = provenance_of(CURVES)
REPORT_TABLES_PROVENANCE = provenance_of(REPORT_TABLES)

# --- logs: one per job ------------------------------------------------------------------------
LOGS = "logs"


def wildcards(pattern: str) -> list[str]:
    """The wildcard names of a pattern, in order (a `{name,regex}` counts as `name`)."""
    return [field.split(",", 1)[0] for _, field, _, _ in string.Formatter().parse(pattern)
            if field is not None]


def fill(pattern: str, **values: object) -> str:
    """The pattern with every wildcard replaced by its value; a missing or unknown wildcard
    is an error that names it."""
    names = wildcards(pattern)
    missing = [name for name in names if name not in values]
    unknown = sorted(set(values) - set(names))
    if missing or unknown:
        problems = ([f"no value for wildcard {', '.join(missing)}"] if missing else []) + (
            [f"no wildcard {', '.join(unknown)} to fill"] if unknown else [])
        raise ValueError(f"{pattern}: {'; '.join(problems)}")
    parts = []
    for literal, field, _, _ in string.Formatter().parse(pattern):
        parts.append(literal)
        if field is not None:
            parts.append(str(values[field.split(",", 1)[0]]))
    return "".join(parts)


def grid_file(kind: str, grid: str) -> str:
    """One file of a grid table: `kind` of GRID, `grid` table2 or table_<name> (or the
    pattern EXTRA_GRID)."""
    return fill(GRID[kind], grid=grid)


def figure(name: str, extension: str) -> str:
    return fill(FIGURE, figure=name, extension=extension)


def log(rule: str, job: str = "") -> str:
    """The log pattern of a rule's jobs: logs/<rule>.log, or logs/<rule>/<job>.log where
    `job` is the pattern of the job's wildcards."""
    return f"{LOGS}/{rule}/{job}.log" if job else f"{LOGS}/{rule}.log"


TABLE2 = grid_file("table", TABLE2_GRID)
TABLE2_LONG = grid_file("long", TABLE2_GRID)
TABLE2_CI = grid_file("ci", TABLE2_GRID)
TABLE2_RECORDS = grid_file("records", TABLE2_GRID)
TABLE2_PROVENANCE = grid_file("provenance", TABLE2_GRID)
EXTRA_TABLE = grid_file("table", EXTRA_GRID)
EXTRA_TABLE_LONG = grid_file("long", EXTRA_GRID)
EXTRA_TABLE_CI = grid_file("ci", EXTRA_GRID)
EXTRA_TABLE_RECORDS = grid_file("records", EXTRA_GRID)
EXTRA_TABLE_PROVENANCE = grid_file("provenance", EXTRA_GRID)

PREPARE_LOG = log("prepare_dataset", "{dataset}")
BASE_MODEL_LOG = log("base_model")
INTERMEDIATE_LOG = log("train_intermediate", "{task}/seed{seed}")
TARGET_LOG = log("train_target", "{intermediate}/{target}/seed{seed}")
PREDICT_LOG = log("predict_target", "{intermediate}/{target}/seed{seed}")
RETRIEVAL_LOG = log("evaluate_retrieval", "{intermediate}/seed{seed}")
SCORE_LOG = log("score", "{intermediate}/{target}/seed{seed}")
TABLE2_LOG = log("table2")
EXTRA_TABLE_LOG = log("extra_table", "{table}")
TABLE3_LOG = log("table3")
TABLE1_LOG = log("table1")
PAPER_COMPARISON_LOG = log("paper_comparison")
FIGURES_LOG = log("figures")
CURVES_LOG = log("curves")
REPORT_TABLES_LOG = log("report_tables")
AUDIT_LOG = log("audit")
TRANSLATION_QUALITY_LOG = log("translation_quality")
