"""Validate the experiment configuration against config/schema.yaml, filling in defaults.

The workflow calls `validate` once at start-up, so that a wrong key or value stops
everything before any job runs, with one line per problem naming the key, the value and
what is allowed: integers are strict (no `10.0`, no booleans, 64 bits), YAML 1.1's traps
get a hint, and a key an overlay removed with `null` is named as removed.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jsonschema

from xstilts.config.checks import check_references
from xstilts.config.load import ConfigError, load_schema, load_yaml, merge
from xstilts.config.resolve import TASK_KINDS

# The integers the code can pass on to numpy and torch (signed 64 bits).
INT64_MIN, INT64_MAX = -2**63, 2**63 - 1
# Scalars YAML 1.1 reads as booleans, and numbers it reads as strings (no dot: `1e-3`).
YAML_BOOLEANS = "yes/no/on/off/true/false"
YAML_FLOAT_STRING = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+")


def _is_integer(checker, instance) -> bool:
    """An int, and not a bool or an integral float (JSON Schema lets `10.0` be an integer,
    and a job then fails far away slicing with it)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


def _validator_class(validator_class=jsonschema.Draft7Validator):
    """`validator_class` with strict integers that fills in each property's `default`
    (objects recursively)."""
    check_properties = validator_class.VALIDATORS["properties"]
    check_type = validator_class.VALIDATORS["type"]

    def fill_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for key, subschema in properties.items():
                if "default" in subschema and key not in instance:
                    instance[key] = copy.deepcopy(subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    def strict_type(validator, types, instance, schema):
        yield from check_type(validator, types, instance, schema)
        integer = "integer" in ([types] if isinstance(types, str) else types)
        if integer and _is_integer(None, instance) and not INT64_MIN <= instance <= INT64_MAX:
            yield jsonschema.ValidationError(f"{instance} is outside the 64-bit integer range")

    types = validator_class.TYPE_CHECKER.redefine("integer", _is_integer)
    return jsonschema.validators.extend(
        validator_class, {"properties": fill_defaults, "type": strict_type}, type_checker=types)


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(error: jsonschema.ValidationError, removed: set[str]) -> str:
    """One line: the key, the value and what is expected (with a hint for YAML's traps)."""
    key = _key_path(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        hint = f" (allowed keys: {', '.join(allowed)})" if allowed else ""
        return f"config key '{key}': {error.message}{hint}"
    if error.validator == "required":
        name = error.message.split(" is a required property")[0].strip("'")
        path = name if key == "<top level>" else f"{key}.{name}"
        cause = f"; an overlay removed it ({path}: null)" if path in removed else ""
        return f"config key '{path}' is required{cause}"
    return (f"config key '{key}': value {_short(error.instance)} is not allowed: "
            f"{error.message}{_type_hint(error)}")


def _type_hint(error: jsonschema.ValidationError) -> str:
    value, expected = error.instance, error.validator_value
    if error.validator != "type":
        return ""
    if isinstance(value, bool):
        return (f" (YAML 1.1 reads {YAML_BOOLEANS} as booleans: quote the string, e.g. 'no')"
                if expected == "string" else " (a boolean)")
    if isinstance(value, float) and expected == "integer":
        return " (expected an integer" + (f": write {int(value)})" if abs(value) < 1e15 else ")")
    if isinstance(value, str) and YAML_FLOAT_STRING.fullmatch(value):
        if expected == "integer":
            number = float(value)
            digits = f"write {int(number)}" if number.is_integer() and abs(number) < 1e15 \
                else "expected an integer"
            return f" (YAML reads {value} as a string: {digits})"
        mantissa, _, exponent = value.lower().partition("e")
        mantissa = mantissa if "." in mantissa else f"{mantissa}.0"
        return f" (YAML reads {value} as a string: write {mantissa}e{exponent})"
    return ""


def validate(config: dict, schema: dict | None = None) -> dict:
    """Return a copy of `config` with defaults filled in, or raise ConfigError."""
    schema = schema or load_schema()
    removed = null_paths(config)
    config = expand_shorthands(without_nulls(config), removed)
    filled = copy.deepcopy(config)
    validator = _validator_class()(schema)
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(
            dict.fromkeys(_describe(error, removed) for error in errors)))
    _keep_only_given_overrides(config, filled)
    check_references(filled, removed)
    return filled


def null_paths(config: dict, prefix: str = "") -> set[str]:
    """Dotted keys of `config` whose value is null: what the overlays removed."""
    found = set()
    for key, value in config.items():
        if value is None:
            found.add(f"{prefix}{key}")
        elif isinstance(value, dict):
            found |= null_paths(value, f"{prefix}{key}.")
    return found


def without_nulls(config: dict) -> dict:
    """A copy of `config` without the keys whose value is null (at any depth).

    Snakemake merges each --configfile over the previous ones, so an overlay can change
    or add keys but not remove them; `key: null` removes one (an extra table, a dataset,
    a task, a language's hub configuration)."""
    return {key: without_nulls(value) if isinstance(value, dict) else value
            for key, value in config.items() if value is not None}


def expand_shorthands(config: dict, removed: set[str] = frozenset()) -> dict:
    """A copy of `config` where each task's `base` (every key of the named task, then the
    task's own) is merged in, and each data reference listing `languages` is one
    reference per language."""
    config = copy.deepcopy(config)
    for kind in TASK_KINDS:
        tasks = config.get(kind) or {}
        for name in tasks:
            tasks[name] = _with_base(tasks, name, [], kind, removed)
            for field in ("train", "dev"):
                if isinstance(tasks[name].get(field), list):
                    tasks[name][field] = [one for ref in tasks[name][field]
                                          for one in _per_language(ref)]
    return config


def _with_base(tasks: dict, name: str, seen: list[str], kind: str,
               removed: set[str]) -> dict:
    task = tasks[name]
    if not isinstance(task, dict) or "base" not in task:
        return task
    base = task["base"]
    if base in seen + [name]:
        problem = "is circular"
    elif f"{kind}.{base}" in removed:
        problem = (f"was removed ({kind}.{base}: null): remove {kind}.{name} too, or keep "
                   f"{kind}.{base}")
    elif base not in tasks:
        problem = f"is not a task under '{kind}' (defined: {', '.join(sorted(tasks))})"
    else:
        problem = ""
    if problem:
        raise ConfigError(f"config key '{kind}.{name}.base': {base!r} {problem}")
    inherited = _with_base(tasks, base, seen + [name], kind, removed)
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
        overlay = load_yaml(path) or {}
        if not isinstance(overlay, dict):
            raise ConfigError(f"{path}: expected a mapping of configuration keys at the top "
                              f"level, not a {type(overlay).__name__}")
        config = merge(config, overlay)
    return validate(config)
