"""Cross-checks of the validated configuration that a schema cannot express: names that
refer to tasks and datasets, formats, metrics, splits, sources and the retrieval layer."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from xstilts.config.grid import BASELINE, trained_intermediate
from xstilts.config.load import ConfigError
from xstilts.config.resolve import TASK_KINDS, resolve_task
from xstilts.data.layouts import dataset_languages
from xstilts.formats import FORMAT_MODULES, Kind, kind_of
from xstilts.metrics.bootstrap import minimum_resamples
from xstilts.metrics.registry import METRICS
from xstilts.models.base import missing_layer
from xstilts.spec import TaskSpec

COMMIT = re.compile(r"[0-9a-f]{40}")
# The keys a task of each kind of format needs (xstilts.formats.interface.Kind).
KIND_KEYS = {Kind.TRAINED: ("train", "dev", "epochs", "batch_size"),
             Kind.EVALUATED: ("eval", "languages"),
             Kind.MIXTURE: ("tasks", "epochs", "batch_size")}


def check_references(config: dict, removed: set[str] = frozenset()) -> None:
    """Every cross-check; `removed`: the dotted keys the overlays removed with `null`, named
    where something still refers to them."""
    problems = []
    experiment = config["experiment"]
    for key, kind in (("intermediate", "intermediate_tasks"), ("targets", "target_tasks")):
        for name in experiment[key]:
            if name not in config[kind]:
                defined = ", ".join(sorted(config[kind]))
                problems.append(f"config key 'experiment.{key}': task {name!r} "
                                f"{_undefined(name, kind, removed)} (defined: {defined})")
    for table, extra in config["extra_tables"].items():
        problems += [f"config key 'extra_tables.{table}.intermediate': task {name!r} "
                     f"{_undefined(name, 'intermediate_tasks', removed)}"
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
            problems += _check_task_data(config, f"{kind}.{name}", task, removed)
            problems += _check_selection_metric(f"{kind}.{name}", task)
            problems += _check_positive_label(config, f"{kind}.{name}", task)
    problems += [f"config key 'datasets.{name}.reference.dataset': "
                 f"{entry['reference']['dataset']!r} is not defined under 'datasets'"
                 for name, entry in config["datasets"].items() if "reference" in entry
                 and entry["reference"]["dataset"] not in config["datasets"]]
    problems += _check_retrieval_layer(config)
    if config["model"]["source"] == "hub":
        problems += _check_hub_source("model", config["model"], config["pinned_revisions"])
    problems += _check_local_model(config["model"])
    problems += _check_bootstrap(config["bootstrap"])
    if not problems:
        problems = _check_used_datasets(config)
    if problems:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(dict.fromkeys(problems)))


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


def _check_positive_label(config: dict, key: str, task: dict) -> list[str]:
    """positive_label is a label of every dataset the task trains and selects on (the
    layouts declare the label names that preparing the data writes to its manifest)."""
    from xstilts.data.layouts import LAYOUTS

    label = task.get("positive_label")
    if label is None:
        return []
    problems = []
    for name in sorted({ref["dataset"] for part in ("train", "dev") for ref in task.get(part, [])}):
        layout = LAYOUTS.get(config["datasets"].get(name, {}).get("schema"))
        labels = getattr(layout, "label_names", None)  # an unknown layout is named elsewhere
        if labels and label not in labels:
            problems.append(f"config key '{key}.positive_label': {label!r} is not a label of "
                            f"dataset {name!r} (its labels: {', '.join(labels)})")
    return problems


def _check_local_model(model: dict) -> list[str]:
    """A local base model is a directory that exists."""
    if model["source"] != "local":
        return []
    if "path" not in model:
        return ["config key 'model.path' is required for a local source (the directory of a "
                "Hugging Face encoder)"]
    if not Path(model["path"]).is_dir():
        return [f"config key 'model.path': directory {model['path']!r} does not exist "
                "(expected a Hugging Face encoder: config.json, weights, tokenizer)"]
    return []


def _check_bootstrap(settings: dict) -> list[str]:
    """Enough resamples for intervals at the configured confidence."""
    needed = minimum_resamples(settings["confidence"])
    if settings["resamples"] >= needed:
        return []
    return [f"config key 'bootstrap.resamples': {settings['resamples']} resamples cannot give "
            f"{settings['confidence']:g} intervals: at least {needed} needed "
            "(xstilts.metrics.bootstrap.minimum_resamples)"]


def _undefined(name: str, kind: str, removed: set[str]) -> str:
    """Why task `name` is not under `kind`: an overlay removed it, or none defined it."""
    if f"{kind}.{name}" in removed:
        return f"was removed ({kind}.{name}: null)"
    return f"is not defined under '{kind}'"


def _check_task_data(config: dict, key: str, task: dict, removed: set[str]) -> list[str]:
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
        f"config key '{key}.tasks': {name!r} {_undefined(name, 'intermediate_tasks', removed)}"
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
    from xstilts.data.layouts import LAYOUTS

    experiment = config["experiment"]
    tasks = [resolve_task(config, "intermediate_tasks", name)
             for name in trained_intermediate(config) if name in config["intermediate_tasks"]]
    tasks += [resolve_task(config, "target_tasks", name)
              for name in experiment["targets"] if name in config["target_tasks"]]
    problems = []
    for name in dict.fromkeys(d for task in tasks for d in task.datasets()):
        dataset = config["datasets"].get(name)
        if dataset and dataset["schema"] not in LAYOUTS:
            problems.append(f"config key 'datasets.{name}.schema': {dataset['schema']!r} has no "
                            f"converter yet (known: {', '.join(sorted(LAYOUTS))})")
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
    from xstilts.data.layouts import LAYOUTS

    refs = [(field, ref) for field in ("train", "dev") for ref in getattr(task, field) or ()]
    refs += [(field, ref) for field in ("eval", "test") if (ref := getattr(task, field))]
    if task.eval and task.eval.fallback_split:
        refs.append(("eval.fallback_split", replace(task.eval, split=task.eval.fallback_split)))
    problems = []
    for field, ref in refs:
        name = config["datasets"][ref.dataset]["schema"]
        layout = LAYOUTS[name]
        known = [split for split in layout.splits if split not in layout.unlabeled_splits]
        if ref.split not in known:
            problems.append(f"config key '{task.kind}.{task.task}.{field}': split "
                            f"{ref.split!r} is not a split of dataset {ref.dataset!r} "
                            f"(its layout {name!r} prepares: {', '.join(known)})")
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
