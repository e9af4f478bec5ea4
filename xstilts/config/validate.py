"""Validate the experiment configuration against config/schema.yaml, filling in defaults.

The workflow calls `validate` once at start-up, so that a wrong key or value stops
everything before any job runs, with a message naming the key, the value and what is
allowed.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema

from xstilts.config.checks import check_references
from xstilts.config.load import ConfigError, load_schema, load_yaml, merge
from xstilts.config.resolve import TASK_KINDS


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
    check_references(filled)
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


def load(paths: list[Path]) -> dict:
    """Validated configuration from YAML files merged in order (the paper config first)."""
    config: dict = {}
    for path in paths:
        config = merge(config, load_yaml(path) or {})
    return validate(config)
