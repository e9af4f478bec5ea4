"""Shared fixtures of the unit tests: the repository's configuration files, read fresh."""

from pathlib import Path

import pytest
import yaml
from workflow import DEMO, SLICE, copy_workflow, snakemake

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def paper_config() -> dict:
    """config/config.yaml as Snakemake reads it (a new dict for every test)."""
    return yaml.safe_load((REPO / "config" / "config.yaml").read_text())


@pytest.fixture
def demo_overrides() -> dict:
    """config/demo.yaml alone (what --configfile merges over the paper configuration)."""
    return yaml.safe_load((REPO / "config" / "demo.yaml").read_text())


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The README's demo command (default target) on the slice, once, in a fresh copy."""
    workdir = copy_workflow(tmp_path_factory.mktemp("demo"))
    (workdir / "slice.yaml").write_text(SLICE)
    snakemake(workdir, "--cores", "2", *DEMO, timeout=1500)
    return workdir
