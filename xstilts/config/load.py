"""Reading the configuration's YAML files and merging them as Snakemake does."""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import yaml

from xstilts.runtime.checkout import ROOT

SCHEMA_PATH = ROOT / "config" / "schema.yaml"


class ConfigError(ValueError):
    """A configuration value is missing, misspelt or out of range."""


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    return copy.deepcopy(_parsed_schema(path))


@functools.cache
def _parsed_schema(path: Path) -> dict:
    return load_yaml(path)


class _ConfigLoader(yaml.SafeLoader):
    """safe_load that refuses what a configuration file should not hold: a key given twice
    in one mapping (YAML keeps the last value, silently dropping the first), aliases (an
    alias nested in aliases expands exponentially once the configuration is copied) and
    merge keys (`<<`, a YAML 1.1 extension)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            alias = self.peek_event()
            raise ConfigError(f"{self.name}:{alias.start_mark.line + 1}: YAML alias "
                              f"*{alias.anchor} refused: write the value out in full")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ConfigError(f"{self.name}:{line}: YAML merge key '<<' refused: write "
                                  "the keys out in full (or use a task's `base`)")
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise ConfigError(
                    f"{self.name}:{line}: key {key!r} is given twice in one mapping (first "
                    f"on line {seen[key]}); YAML would keep only the last value")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


def load_yaml(path: Path):
    """A YAML file of the project (configuration, schema, published numbers); what it may
    not hold, or a syntax error, is refused naming the file and line."""
    with open(path, encoding="utf-8") as handle:
        try:
            return yaml.load(handle, Loader=_ConfigLoader)  # noqa: S506 - a SafeLoader
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            tabs = " (indent with spaces: YAML allows no tabs there)" if "\\t" in str(
                error.problem) else ""
            problem = f"{where}: not valid YAML: {error.problem}{tabs}"
        except ConfigError as error:  # raised deep in the parser: reported from here
            problem = str(error)
    raise ConfigError(problem)


def check_config_files(paths) -> None:
    """The files Snakemake merged into `config` hold nothing its own loader lets through:
    a key twice (it keeps the last value), an alias or a merge key."""
    for path in paths:
        load_yaml(path)


def merge(base: dict, override: dict) -> dict:
    """Deep merge as Snakemake applies --configfile: mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
