"""Reading the configuration's YAML files and merging them as Snakemake does."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from xstilts.runtime.checkout import ROOT

SCHEMA_PATH = ROOT / "config" / "schema.yaml"


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


def merge(base: dict, override: dict) -> dict:
    """Deep merge as Snakemake applies --configfile: mappings merge, everything else replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
