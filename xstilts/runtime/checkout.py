"""The workflow's own files in a source checkout, to run it in a scratch directory
(the workflow tests and benchmarks/dag.py) without touching the checkout's outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout holding the package
WORKFLOW_FILES = ("Snakefile", "rules", "scripts", "config", "profiles", "report", "envs",
                  "environment.yml")


def copy_workflow(destination: Path) -> Path:
    """Copy the workflow files (not data, models or results) into `destination`."""
    for name in WORKFLOW_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, destination / name)
    return destination
