# Validation and input functions; no rules here.
import json

from xstilts.config import BASELINE, datasets_of, resolve_task, rows, validate

config.update(validate(config))

PREPARED = "data/prepared"
ENV = "../environment.yml"
ROWS = rows(config)
TARGETS = config["experiment"]["targets"]
# Targets fine-tuned on English data; the others (retrieval) are evaluated straight from
# the intermediate checkpoint.
TRAINED_TARGETS = [t for t in TARGETS if config["target_tasks"][t]["format"] != "retrieval"]


wildcard_constraints:
    dataset="[A-Za-z0-9_]+",
    task="|".join(config["experiment"]["intermediate"]) or "^$",
    intermediate="|".join(ROWS),
    target="|".join(TARGETS),


def as_json(value):
    """Parameters travel as canonical JSON so that any change reruns the affected jobs."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def task_spec(kind, name):
    return resolve_task(config, kind, name)


def prepared(spec):
    return [f"{PREPARED}/{name}" for name in datasets_of(spec)]


def used_datasets():
    specs = [
        task_spec("intermediate_tasks", t) for t in config["experiment"]["intermediate"]
    ]
    specs += [task_spec("target_tasks", t) for t in TARGETS]
    return sorted({path for spec in specs for path in prepared(spec)})


def init_checkpoint(wildcards):
    """The checkpoint a target model starts from: the base model for the baseline row."""
    if wildcards.intermediate == BASELINE:
        return "models/base"
    return f"models/intermediate/{wildcards.intermediate}"
