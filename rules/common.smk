# Validation, the grid's constants, and the input and parameter functions of the rules; no
# rules here.
import json
import os
import shlex

from xstilts.config import (
    BASELINE,
    check_config_files,
    extra_table_rows,
    resolve_task,
    rows,
    subsampled,
    trained_intermediate,
    unavailable_rows,
    validate,
)
from xstilts.config.sharing import grid_sharing
from xstilts.formats import Kind, kind_of
from xstilts.report.table1 import datasets_read, describe_tasks
from xstilts.report.translation import translated_datasets
from xstilts.runtime import warm
from xstilts.spec import paths
from xstilts.store.provenance import local_files

check_config_files(workflow.configfiles)
# validated in place: `null` in an overlay removes a key (xstilts.config.without_nulls)
VALIDATED = validate(config)
config.clear()
config.update(VALIDATED)

PAPER_REFERENCE = "config/paper_reference.yaml"
# Model jobs' interpreter. With warm_start the prefix below tells their scripts to go on in
# a process forked from a server that has imported torch (xstilts.runtime.warm); no job
# command or parameter says so, hence toggling it reruns nothing.
JOB_PYTHON = "python"
WARM_START = f"export {warm.ENABLED}=1; " if config["warm_start"] else ""
# Conda environments (--sdm conda) hold the dependencies only (requirements/lock.sh writes
# them from the lock); every job imports this package from the workflow's own directory.
ENV = "../environment.yml"
REPORT_ENV = "../envs/report.yml"  # the torch-free rules: scores, tables, figures
PACKAGE_PATH = shlex.quote(workflow.basedir)
shell.prefix(
    "set -euo pipefail; export PYTHONPATH={PACKAGE_PATH}${{PYTHONPATH:+:$PYTHONPATH}}; "
    + WARM_START
)
# Rows whose user-supplied data is missing (licensed CCGbank) stay out of the job graph;
# Table 2 shows them empty, with the reason.
UNAVAILABLE = unavailable_rows(config)
TABLE_ROWS = rows(config)
# Row sets of the extra tables (MLM, translated data): results/table_<name>.csv
EXTRA_TABLES = {name: extra_table_rows(config, name) for name in config["extra_tables"]}


def available(names):
    return [name for name in names if name not in UNAVAILABLE]


INTERMEDIATE = available(trained_intermediate(config))
# every row the workflow trains and scores
ROWS = ([BASELINE] if config["experiment"]["baseline"] else []) + INTERMEDIATE
TARGETS = config["experiment"]["targets"]
# Targets fine-tuned on English data; the others (retrieval: an evaluated format) are
# evaluated straight from the intermediate checkpoint.
TRAINED_TARGETS = [
    t
    for t in TARGETS
    if kind_of(config["target_tasks"][t]["format"]) is not Kind.EVALUATED
]
RETRIEVAL_TARGETS = [t for t in TARGETS if t not in TRAINED_TARGETS]
SEEDS = config["seeds"]
# Each distinct training runs once (xstilts.config.sharing): MLQA is predicted with XQuAD's
# SQuAD model, and the baseline reads an intermediate model where its training is the same.
SHARED = grid_sharing(config)
OWN_MODEL_TARGETS = [t for t in TRAINED_TARGETS if SHARED.trains_own_model(t)]
SHARING_TARGETS = [t for t in TRAINED_TARGETS if not SHARED.trains_own_model(t)]
BASELINE_REUSED = [t for t in SHARED.baseline_reads if t in OWN_MODEL_TARGETS]


wildcard_constraints:
    dataset="[A-Za-z0-9_]+",
    task="|".join(INTERMEDIATE) or "^$",
    intermediate="|".join(ROWS),
    target="|".join(TARGETS),
    seed="|".join(map(str, SEEDS)),


def as_json(value):
    """Parameters travel as canonical JSON so that any change reruns the affected jobs."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def task_spec(kind, name, seed=None):
    return resolve_task(config, kind, name, seed)


def training_spec(kind):
    """Rule parameter: the resolved spec of the job's task, trained with its run's seed."""
    name = "task" if kind == "intermediate_tasks" else "target"
    return lambda wc: task_spec(kind, wc[name], int(wc.seed)).to_json()


def prepared(spec):
    return [paths.fill(paths.PREPARED, dataset=name) for name in spec.datasets()]


def local_release_files(wildcards):
    """Input of prepare_dataset: a local source's release files, so that editing one
    prepares the dataset again (none for the hub or the demo)."""
    return local_files(config["datasets"][wildcards.dataset])


def dataset_spec(wildcards):
    """Parameter of prepare_dataset: the dataset's entry of the configuration."""
    return as_json(config["datasets"][wildcards.dataset])


def intermediate_data(wildcards):
    """Input of train_intermediate: the prepared datasets of its task."""
    return prepared(task_spec("intermediate_tasks", wildcards.task))


def target_data(wildcards):
    """Input of the jobs that train, predict or score a target: its prepared datasets."""
    return prepared(task_spec("target_tasks", wildcards.target))


def scoring_spec(wildcards):
    """Parameter of score: the target's resolved spec, without a seed (scoring draws none)."""
    return task_spec("target_tasks", wildcards.target).to_json()


def generated_datasets():
    return sorted(
        paths.fill(paths.PREPARED, dataset=name)
        for name, dataset in config["datasets"].items()
        if dataset["source"] == "demo"
    )


def init_checkpoint(wildcards):
    """The checkpoint a target model starts from: the base model for the baseline row."""
    if wildcards.intermediate == BASELINE:
        return paths.BASE_MODEL
    return paths.fill(
        paths.INTERMEDIATE_MODEL, task=wildcards.intermediate, seed=wildcards.seed
    )


# Prediction of a target with a model trained for another task of the same training.
PREDICT_COMMAND = (
    "{params.python} scripts/predict.py --spec {params.spec:q} --model {input.model:q}"
    " --data {params.data:q} --predictions {output:q} --threads {threads}"
    " --gpus {resources.gpu} > {log:q} 2>&1"
)


def trained_model(wildcards):
    """The fine-tuned model that predicts a target for a row: its own, or the one it
    shares (xstilts.config.sharing)."""
    kind, name = SHARED.source(wildcards.intermediate, wildcards.target, BASELINE)
    if kind == "intermediate":
        return paths.fill(paths.INTERMEDIATE_MODEL, task=name, seed=wildcards.seed)
    return paths.fill(
        paths.TARGET_MODEL,
        intermediate=wildcards.intermediate,
        target=name,
        seed=wildcards.seed,
    )


def trained_checkpoints():
    """Every checkpoint a training job of the grid writes (shared models once)."""
    targets = [
        paths.fill(paths.TARGET_MODEL, intermediate=row, target=target, seed=seed)
        for row in ROWS
        for target in TRAINED_TARGETS
        for seed in SEEDS
        if SHARED.source(row, target, BASELINE) == ("target", target)
    ]
    return expand(paths.INTERMEDIATE_MODEL, task=INTERMEDIATE, seed=SEEDS) + targets


def retrieval_data(wildcards):
    """Input of evaluate_retrieval: the prepared datasets of every retrieval target (one
    retrieval job reads them all). A function although the same for every job: as a
    constant, `snakemake --lint` would find `params.data` a hardcoded prefix of it."""
    specs = [task_spec("target_tasks", t) for t in RETRIEVAL_TARGETS]
    return sorted({path for spec in specs for path in prepared(spec)})


CATEGORIES = {t: config["target_tasks"][t]["category"] for t in TARGETS}
# What Table 1 says of each task of the experiment (a parameter of rule table1)
TABLE1_TASKS = describe_tasks(config, config["experiment"]["intermediate"], TARGETS)
# Machine-translated datasets with a human reference: the rows of the translation quality
TRANSLATED = translated_datasets(config["datasets"])


def score_files(rows):
    return expand(
        paths.SCORES,
        intermediate=available(rows),
        target=TARGETS,
        seed=SEEDS,
    )


def grid_layout(rows):
    """What scripts/table2.py needs besides the score files (any row set)."""
    return as_json(
        {
            "rows": rows,
            "unavailable": {
                row: UNAVAILABLE[row] for row in rows if row in UNAVAILABLE
            },
            "targets": TARGETS,
            "seeds": SEEDS,
            "categories": CATEGORIES,
            "subsampled": subsampled(
                config,
                [("target_tasks", t) for t in TARGETS]
                + [("intermediate_tasks", r) for r in available(rows) if r != BASELINE],
            ),
        }
    )


def extra_table_scores(wildcards):
    """Input of extra_table: the score files of the table's rows."""
    return score_files(EXTRA_TABLES[wildcards.table])


def extra_table_layout(wildcards):
    """Parameter of extra_table: the layout of the table's rows."""
    return grid_layout(EXTRA_TABLES[wildcards.table])


def prepared_directory(wildcards, input):
    """Parameter of translation_quality: the directory of the prepared datasets it reads."""
    return os.path.dirname(input[0])


def translated_specs(wildcards):
    """Parameter of translation_quality: the translated datasets, as JSON; a function, as
    Snakemake would take the `{lang}` in a string parameter for a wildcard."""
    return as_json(TRANSLATED)


def report_tables(wildcards=None):
    """{page name: CSV table} of every table of the default target (the input of rule
    report_tables, unpacked into named inputs)."""
    return {
        "table1": paths.TABLE1,
        "table2": paths.TABLE2,
        "table3": paths.TABLE3,
        **{
            paths.fill(paths.EXTRA_GRID, table=name): paths.fill(
                paths.EXTRA_TABLE, table=name
            )
            for name in EXTRA_TABLES
        },
        **({"translation_quality": paths.TRANSLATION_QUALITY} if TRANSLATED else {}),
        "paper_comparison": paths.PAPER_COMPARISON,
    }


def table_options(wildcards, input):
    """Parameter of report_tables: one quoted `--table=<page>=<CSV>` option per input."""
    return " ".join(
        shlex.quote(f"--table={name}={path}") for name, path in input.items()
    )
