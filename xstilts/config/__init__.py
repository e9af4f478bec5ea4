"""Validate the experiment configuration and resolve per-task settings.

The workflow calls `validate` once at start-up, so that a wrong key or value stops
everything before any job runs, with a message naming the key, the value and what is
allowed.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import yaml

from xstilts.data.schemas import dataset_languages
from xstilts.formats import FORMAT_MODULES, Kind, kind_of
from xstilts.metrics.registry import METRICS
from xstilts.models.base import missing_layer
from xstilts.runtime.checkout import ROOT
from xstilts.spec.specs import TaskSpec

SCHEMA_PATH = ROOT / "config" / "schema.yaml"
TASK_KINDS = ("intermediate_tasks", "target_tasks")
BASELINE = "baseline"
COMMIT = re.compile(r"[0-9a-f]{40}")
# The keys a task of each kind of format needs (xstilts.formats.interface.Kind).
KIND_KEYS = {Kind.TRAINED: ("train", "dev", "epochs", "batch_size"),
             Kind.EVALUATED: ("eval", "languages"),
             Kind.MIXTURE: ("tasks", "epochs", "batch_size")}


class ConfigError(ValueError):
    """A configuration value is missing, misspelt or out of range."""


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    return load_yaml(path)


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load that refuses a key given twice in one mapping (YAML keeps the last one,
    silently dropping the first value)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"{self.name}:{key_node.start_mark.line + 1}: key {key!r} is given twice "
                    f"in one mapping (first on line {seen[key]}); YAML would keep only the "
                    "last value")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path):
    """A YAML file of the project (configuration, schema, published numbers)."""
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader


def check_config_files(paths) -> None:
    """The files Snakemake merged into `config` have no key twice (Snakemake's own loader
    keeps the last value)."""
    for path in paths:
        load_yaml(path)


def _with_defaults(validator_class):
    """A validator that also fills in each property's `default` (objects recursively)."""
    check_properties = validator_class.VALIDATORS["properties"]

    def fill_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, subschema in properties.items():
                if "default" in subschema and key not in instance:
                    instance[key] = copy.deepcopy(subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": fill_defaults})


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        hint = f" (allowed keys: {', '.join(allowed)})" if allowed else ""
        return f"config key '{_key_path(error)}': {error.message}{hint}"
    return (
        f"config key '{_key_path(error)}': value {error.instance!r} is not allowed: "
        f"{error.message}"
    )


def validate(config: dict, schema: dict | None = None) -> dict:
    """Return a copy of `config` with defaults filled in, or raise ConfigError."""
    schema = schema or load_schema()
    config = expand_shorthands(without_nulls(config))
    filled = copy.deepcopy(config)
    validator = _with_defaults(jsonschema.Draft7Validator)(schema)
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(map(_describe, errors)))
    _keep_only_given_overrides(config, filled)
    _check_references(filled)
    return filled


def without_nulls(config: dict) -> dict:
    """A copy of `config` without the keys whose value is null (at any depth).

    Snakemake merges each --configfile over the previous ones, so an overlay can change
    or add keys but not remove them; `key: null` removes one (an extra table, a dataset,
    a task, a language's hub configuration)."""
    return {key: without_nulls(value) if isinstance(value, dict) else value
            for key, value in config.items() if value is not None}


def expand_shorthands(config: dict) -> dict:
    """A copy of `config` where each task's `base` (every key of the named task, then the
    task's own) is merged in, and each data reference listing `languages` is one
    reference per language."""
    config = copy.deepcopy(config)
    for kind in TASK_KINDS:
        tasks = config.get(kind) or {}
        for name in tasks:
            tasks[name] = _with_base(tasks, name, [])
            for field in ("train", "dev"):
                if isinstance(tasks[name].get(field), list):
                    tasks[name][field] = [one for ref in tasks[name][field]
                                          for one in _per_language(ref)]
    return config


def _with_base(tasks: dict, name: str, seen: list[str]) -> dict:
    task = tasks[name]
    if not isinstance(task, dict) or "base" not in task:
        return task
    base = task["base"]
    if base not in tasks or base in seen + [name]:
        problem = "is not a task of the same kind" if base not in tasks else "is circular"
        raise ConfigError(f"config key '{name}.base': {base!r} {problem}")
    inherited = _with_base(tasks, base, seen + [name])
    merged = {key: value for key, value in inherited.items() if key != "note"}
    return merge(merged, task)


def _per_language(ref):
    if not isinstance(ref, dict) or "languages" not in ref:
        return [ref]
    one = {key: value for key, value in ref.items() if key != "languages"}
    return [{**one, "language": language} for language in ref["languages"]]


def _keep_only_given_overrides(raw: dict, filled: dict) -> None:
    """Task `hparams` override only what the user wrote, not the schema's defaults."""
    for kind in TASK_KINDS:
        for name, task in filled[kind].items():
            task["hparams"] = copy.deepcopy(raw.get(kind, {}).get(name, {}).get("hparams", {}))


def _check_references(config: dict) -> None:
    problems = []
    experiment = config["experiment"]
    for key, kind in (("intermediate", "intermediate_tasks"), ("targets", "target_tasks")):
        for name in experiment[key]:
            if name not in config[kind]:
                problems.append(
                    f"config key 'experiment.{key}': task {name!r} is not defined under '{kind}' "
                    f"(defined: {', '.join(sorted(config[kind]))})"
                )
    for table, extra in config["extra_tables"].items():
        problems += [f"config key 'extra_tables.{table}.intermediate': task {name!r} is not "
                     "defined under 'intermediate_tasks'"
                     for name in extra["intermediate"] if name not in config["intermediate_tasks"]]
    for target, choice in config["table3"]["intermediate"].items():
        if target not in experiment["targets"]:
            problems.append(f"config key 'table3.intermediate.{target}': not a target task "
                            f"of the experiment ({', '.join(experiment['targets'])})")
        if choice not in experiment["intermediate"]:
            problems.append(f"config key 'table3.intermediate.{target}': {choice!r} is not a "
                            "row of Table 2 (experiment.intermediate)")
    if BASELINE in trained_intermediate(config):
        problems.append(f"config key 'experiment.intermediate': {BASELINE!r} is reserved")
    for kind in TASK_KINDS:
        for name, task in config[kind].items():
            format_problems = _check_task_format(f"{kind}.{name}", task)
            problems += format_problems
            if format_problems:
                continue
            problems += _check_task_data(config, f"{kind}.{name}", task)
            problems += _check_selection_metric(f"{kind}.{name}", task)
    problems += [f"config key 'datasets.{name}.reference.dataset': "
                 f"{entry['reference']['dataset']!r} is not defined under 'datasets'"
                 for name, entry in config["datasets"].items() if "reference" in entry
                 and entry["reference"]["dataset"] not in config["datasets"]]
    problems += _check_retrieval_layer(config)
    if config["model"]["source"] == "hub":
        problems += _check_hub_source("model", config["model"], config["pinned_revisions"])
    if not problems:
        problems = _check_used_datasets(config)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


def _check_task_format(key: str, task: dict) -> list[str]:
    """The task's format is registered (xstilts.formats.FORMAT_MODULES), the task has the
    keys its format's kind needs, and its metric is registered
    (xstilts.metrics.registry.METRICS)."""
    if task["format"] not in FORMAT_MODULES:
        return [f"config key '{key}.format': format {task['format']!r} is not implemented yet "
                f"(implemented: {', '.join(sorted(FORMAT_MODULES))})"]
    kind = kind_of(task["format"])
    needs = ", ".join(KIND_KEYS[kind])
    problems = [f"config key '{key}.{field}' is required for a task of format "
                f"{task['format']!r} (a format of kind {kind.value} needs {needs})"
                for field in KIND_KEYS[kind] if field not in task]
    if "metric" in task and task["metric"] not in METRICS:
        problems.append(f"config key '{key}.metric': metric {task['metric']!r} is not "
                        f"registered (known: {', '.join(sorted(METRICS))})")
    return problems


def _check_selection_metric(key: str, task: dict) -> list[str]:
    """selection_metric belongs to sentence-pair classification; its F1 needs a label."""
    metric = task.get("selection_metric")
    if metric and task.get("format") != "pair_classification":
        return [f"config key '{key}.selection_metric': only sentence-pair classification "
                f"tasks take one, not format {task.get('format')!r}"]
    if metric == "accuracy_and_f1" and not task.get("positive_label"):
        return [f"config key '{key}.positive_label' is required with selection_metric "
                "'accuracy_and_f1' (the label whose F1 is averaged with accuracy)"]
    return []


def _check_task_data(config: dict, key: str, task: dict) -> list[str]:
    datasets = config["datasets"]
    refs = [("train", r) for r in task.get("train", [])]
    refs += [("dev", r) for r in task.get("dev", [])]
    for split in ("eval", "test"):
        if split in task:
            refs += [(split, {**task[split], "language": lang}) for lang in task["languages"]]
    if "mlm" in task:
        corpus = task["mlm"]["dataset"]
        languages = task["mlm"].get("languages") or dataset_languages(datasets.get(corpus, {}))
        refs += [("mlm", {"dataset": corpus, "language": language}) for language in languages]
    problems = [
        f"config key '{key}.tasks': {name!r} is not an intermediate task"
        for name in task.get("tasks", []) if name not in config["intermediate_tasks"]
    ]
    for field, ref in refs:
        dataset = datasets.get(ref["dataset"])
        if dataset is None:
            problems.append(
                f"config key '{key}.{field}': dataset {ref['dataset']!r} is not defined "
                f"under 'datasets' (defined: {', '.join(sorted(datasets))})"
            )
            continue
        languages = dataset_languages(dataset)
        if ref.get("language", "en") not in languages:
            problems.append(
                f"config key '{key}.{field}': language {ref.get('language', 'en')!r} is not "
                f"prepared for dataset {ref['dataset']!r} (datasets.{ref['dataset']}.languages: "
                f"{', '.join(languages)})"
            )
    return problems


def _check_used_datasets(config: dict) -> list[str]:
    """Datasets the grid needs must have a layout and a source the code can read."""
    from xstilts.data.schemas import SCHEMAS

    experiment = config["experiment"]
    tasks = [resolve_task(config, "intermediate_tasks", name)
             for name in trained_intermediate(config) if name in config["intermediate_tasks"]]
    tasks += [resolve_task(config, "target_tasks", name)
              for name in experiment["targets"] if name in config["target_tasks"]]
    problems = []
    for name in dict.fromkeys(d for task in tasks for d in task.datasets()):
        dataset = config["datasets"].get(name)
        if dataset and dataset["schema"] not in SCHEMAS:
            problems.append(f"config key 'datasets.{name}.schema': {dataset['schema']!r} has no "
                            f"converter yet (known: {', '.join(sorted(SCHEMAS))})")
        if dataset and dataset["source"] == "hub":
            problems += _check_hub_source(f"datasets.{name}", dataset, config["pinned_revisions"])
        if dataset and dataset["source"] == "local":
            problems += _check_local_source(name, dataset)
    if not problems:
        problems = [problem for task in tasks for problem in _check_splits(config, task)]
    return problems


def _check_local_source(name: str, dataset: dict) -> list[str]:
    """A local source names an existing directory, unless the dataset is `optional`
    (licensed data: without the user's copy its rows are left out, see unavailable_rows)."""
    if "path" not in dataset:
        return [f"config key 'datasets.{name}.path' is required for a local source (the "
                "directory of the release files, docs/local-data.md)"]
    if not dataset.get("optional") and not Path(dataset["path"]).is_dir():
        return [f"config key 'datasets.{name}.path': directory {dataset['path']!r} does not "
                "exist (expected the release files, docs/local-data.md; set "
                f"datasets.{name}.optional: true only for data a user may lack, such as "
                "licensed CCGbank)"]
    return []


def _check_splits(config: dict, task: TaskSpec) -> list[str]:
    """Every split a task reads is one its dataset's layout prepares (with labels)."""
    from xstilts.data.schemas import SCHEMAS

    refs = [(field, ref) for field in ("train", "dev") for ref in getattr(task, field) or ()]
    refs += [(field, ref) for field in ("eval", "test") if (ref := getattr(task, field))]
    if task.eval and task.eval.fallback_split:
        refs.append(("eval.fallback_split", replace(task.eval, split=task.eval.fallback_split)))
    problems = []
    for field, ref in refs:
        schema = config["datasets"][ref.dataset]["schema"]
        layout = SCHEMAS[schema]
        known = [split for split in layout.splits if split not in layout.unlabeled_splits]
        if ref.split not in known:
            problems.append(f"config key '{task.kind}.{task.task}.{field}': split "
                            f"{ref.split!r} is not a split of dataset {ref.dataset!r} "
                            f"(its layout {schema!r} prepares: {', '.join(known)})")
    problems += [problem for sub in (task.subtasks or {}).values()
                 for problem in _check_splits(config, sub)]
    return problems


def _check_hub_source(key: str, source: dict, pinned: bool) -> list[str]:
    """A hub source names its repository and revision, a commit hash when `pinned`."""
    missing = [f"config key '{key}.{field}' is required for a hub source"
               for field in ("path", "revision") if field not in source]
    if missing:
        return missing
    if pinned and not COMMIT.fullmatch(source["revision"]):
        return [f"config key '{key}.revision': value {source['revision']!r} is not pinned: "
                "expected a 40-character commit hash (or set pinned_revisions: false)"]
    return []


def _check_retrieval_layer(config: dict) -> list[str]:
    """The layers of a model built from `model.build` are known before any job runs."""
    model, experiment = config["model"], config["experiment"]
    retrieval_targets = [name for name in experiment["targets"]
                         if config["target_tasks"].get(name, {}).get("format") in FORMAT_MODULES
                         and kind_of(config["target_tasks"][name]["format"]) is Kind.EVALUATED]
    if not retrieval_targets or model["source"] != "build" or "build" not in model:
        return []
    problem = missing_layer(model["retrieval_layer"], model["build"]["num_hidden_layers"],
                            "the model built from model.build")
    return [problem] if problem else []


def merge(base: dict, override: dict) -> dict:
    """Deep merge as Snakemake applies --configfile: mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load(paths: list[Path]) -> dict:
    """Validated configuration from YAML files merged in order (the paper config first)."""
    config: dict = {}
    for path in paths:
        config = merge(config, load_yaml(path) or {})
    return validate(config)


def unavailable_rows(config: dict) -> dict[str, str]:
    """{intermediate task: reason} for rows whose user-supplied local data is missing.

    Licensed data (CCGbank, `optional: true`) cannot be downloaded: without the user's copy
    its row is left out of the job graph and Table 2 shows it empty, with this reason. A
    missing local directory of any other dataset stops validation instead.
    """
    reasons = {}
    for task in trained_intermediate(config):
        for name in resolve_task(config, "intermediate_tasks", task).datasets():
            dataset = config["datasets"][name]
            if (dataset["source"] == "local" and dataset.get("optional")
                    and not Path(dataset["path"]).exists()):
                reasons[task] = (f"dataset {name!r} not found at {dataset['path']} "
                                 f"(datasets.{name}.path: your copy of its release files)")
                break
    return reasons


def rows(config: dict) -> list[str]:
    """Row names of Table 2: the baseline (if enabled), then the intermediate tasks."""
    baseline = [BASELINE] if config["experiment"]["baseline"] else []
    return baseline + list(config["experiment"]["intermediate"])


def trained_intermediate(config: dict) -> list[str]:
    """Every intermediate task the workflow trains: Table 2's rows, then the extra tables'."""
    names = list(config["experiment"]["intermediate"])
    names += [name for table in config.get("extra_tables", {}).values()
              for name in table["intermediate"]]
    return list(dict.fromkeys(names))


def extra_table_rows(config: dict, table: str) -> list[str]:
    """Rows of an extra table: the baseline (if enabled), then each variant after the task it
    is based on (where that task is a row of Table 2), for comparison."""
    names = [BASELINE] if config["experiment"]["baseline"] else []
    for name in config["extra_tables"][table]["intermediate"]:
        base = config["intermediate_tasks"][name].get("base")
        if base in config["experiment"]["intermediate"]:
            names.append(base)
        names.append(name)
    return list(dict.fromkeys(names))


def resolve_task(config: dict, kind: str, name: str, seed: int | None = None) -> TaskSpec:
    """Everything one job needs to know about its task; its `to_json` is the parameter the
    rules pass.

    `seed` is the run's seed (one of config `seeds`; None for jobs that train nothing)."""
    return TaskSpec.from_dict(plain_task(config, kind, name, seed), f"{kind}.{name}")


def plain_task(config: dict, kind: str, name: str, seed: int | None) -> dict:
    """The resolved task as the plain data of the configuration (resolve_task types it)."""
    task = copy.deepcopy(config[kind][name])
    hparams = {**config["training"], **task.pop("hparams")}
    for key in ("note", "max_train_examples", "max_eval_examples"):
        task.pop(key, None)
    resolved = {
        "task": name,
        "kind": kind,
        **task,
        "hparams": hparams,
        "seed": seed,
        "precision": config["precision"],
    }
    resolved.pop("base", None)  # merged in by validate: the spec holds every inherited key
    resolved.update(with_limits(config, config[kind][name]))
    if kind_of(task["format"]) is Kind.MIXTURE:
        resolved["subtasks"] = {sub: plain_task(config, kind, sub, seed)
                             for sub in task["tasks"]}
    if "mlm" in task:
        corpus = config["datasets"].get(task["mlm"]["dataset"], {})  # validate names a typo
        resolved["mlm"] = {"languages": dataset_languages(corpus),
                           "max_length": task["max_length"], **task["mlm"]}
    return resolved


def with_limits(config: dict, task: dict) -> dict:
    """The task's data references, each carrying the subset it is read as: its own
    `max_examples`, else the task's `max_train_examples` (train) or `max_eval_examples`
    (dev, eval, test), else config `subsample`'s. A reference without a limit stays as it
    was, so that jobs on complete data keep their parameters."""
    defaults = config["subsample"]
    limits = {field: task.get(field, defaults.get(field))
              for field in ("max_train_examples", "max_eval_examples")}

    def limited(ref: dict, field: str) -> dict:
        limit = ref.get("max_examples", limits[field])
        if limit is None:
            return ref
        return {**ref, "max_examples": limit, "sample_seed": defaults["seed"]}

    refs = {field: [limited(ref, "max_train_examples" if field == "train" else
                            "max_eval_examples") for ref in task[field]]
            for field in ("train", "dev") if field in task}
    refs |= {field: limited(task[field], "max_eval_examples")
             for field in ("eval", "test") if field in task}
    return refs


def subsampled(config: dict, tasks: list[tuple[str, str]]) -> str:
    """A sentence for Table 2's note naming the limits its tasks ([(kind, name)]) read
    their data with, or "" when every task reads complete data."""
    limits = set()
    for kind, name in tasks:
        spec = resolve_task(config, kind, name)
        for field in ("train", "dev", "eval", "test"):
            refs = getattr(spec, field) or ()
            for ref in refs if isinstance(refs, tuple) else [refs]:
                if ref.max_examples is not None:
                    limits.add(("train" if field == "train" else "eval", ref.max_examples))
    if not limits:
        return ""
    parts = [f"{part} <= {', '.join(str(n) for p, n in sorted(limits) if p == part)}"
             for part in ("train", "eval") if any(p == part for p, _ in limits)]
    return ("subsampled data (examples per split and language: " + "; ".join(parts)
            + f"; seed {config['subsample']['seed']})")
