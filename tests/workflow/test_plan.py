"""The cost plan of a run plans exactly Snakemake's jobs for the same targets, prints every
rule and its total, and refuses a malformed manifest in one line."""

import subprocess

import pytest
from workflow import BIN, ROOT, copy_workflow, job_counts, snakemake

from xstilts.report import plan

pytestmark = pytest.mark.workflow

NARROWED = "experiment:\n  intermediate: [mnli, squad_v1]\n  targets: [xnli, xquad, mlqa]\n"


@pytest.mark.parametrize("overlay", [[], ["config/small.yaml"], ["config/demo.yaml"]])
def test_plan_command_prints_every_rule_and_the_total(overlay):
    args = ["--configfile", *overlay] if overlay else []
    result = subprocess.run([str(BIN / "python"), "scripts/plan.py", *args], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "targets: the default target (rule all)"
    assert any(line.startswith("train_target") for line in lines)
    assert lines[-1].startswith("total") or lines[-2].startswith("total")


@pytest.mark.parametrize(("overlay", "targets"), [
    ([], []), (["config/small.yaml"], []), (["config/demo.yaml"], []),
    (["config/demo.yaml", "narrowed.yaml"], ["results/table2.csv", "results/table3.csv"]),
])
def test_plan_plans_the_jobs_snakemake_runs_for_the_same_targets(tmp_path, overlay, targets):
    workdir = copy_workflow(tmp_path)
    (workdir / "narrowed.yaml").write_text(NARROWED)
    configfile = ["--configfile", *overlay] if overlay else []
    result = snakemake(workdir, "-n", *targets, *configfile)
    jobs = plan.dry_run_jobs(workdir, overlay, targets)
    planned = {}
    for rule, _ in jobs:
        planned[rule] = planned.get(rule, 0) + 1
    assert planned == job_counts(result.stdout)
    if targets:  # the run asked for: not the default target's extra tables and figures
        assert "figures" not in planned and "extra_table" not in planned


def test_plan_command_refuses_a_malformed_manifest_in_one_line(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "data" / "prepared" / "mnli").mkdir(parents=True)
    (workdir / "data" / "prepared" / "mnli" / "manifest.json").write_text("{}")
    result = subprocess.run([str(BIN / "python"), "scripts/plan.py", "--root", str(workdir)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"plan refused: {workdir}/data/prepared/mnli/manifest.json: expected a JSON object "
        "with a 'files' mapping {'<language>/<split>': {'rows': ...}}"]
