"""The grid a validated configuration asks for: Table 2's rows, the intermediate tasks
trained, the extra tables' rows, rows left out for missing licensed data, and the note on
subsampled data."""

from __future__ import annotations

from pathlib import Path

from xstilts.config.resolve import resolve_task

BASELINE = "baseline"


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
