"""The experiment configuration: read (load), validated with defaults (validate),
cross-checked (checks), resolved per task (resolve) and laid out as a grid (grid).

The rules, scripts and reports import from here; each module does one of these jobs.
"""

from xstilts.config.grid import (
    BASELINE,
    extra_table_rows,
    rows,
    subsampled,
    trained_intermediate,
    unavailable_rows,
)
from xstilts.config.load import ConfigError, check_config_files, load_schema, load_yaml, merge
from xstilts.config.resolve import TASK_KINDS, plain_task, resolve_task, with_limits
from xstilts.config.validate import expand_shorthands, load, validate, without_nulls

__all__ = [
    "BASELINE", "TASK_KINDS", "ConfigError", "check_config_files", "expand_shorthands",
    "extra_table_rows", "load", "load_schema", "load_yaml", "merge", "plain_task",
    "resolve_task", "rows", "subsampled", "trained_intermediate", "unavailable_rows",
    "validate", "with_limits", "without_nulls",
]
