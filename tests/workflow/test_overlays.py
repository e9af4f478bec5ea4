"""Overlays of the paper's configuration: the small one-GPU grid (hub or air-gapped) and
one that narrows the grid to exactly the rows, targets and languages it names."""

import pytest
import yaml
from workflow import ROOT, copy_workflow, job_counts, snakemake

from xstilts.config import load


@pytest.mark.workflow
def test_small_config_plans_the_whole_grid_offline(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n", "results/table2.csv", "--configfile", "config/small.yaml")
    rows = 9  # baseline + 8 (ccg and multitask wait for the user's CCGbank)
    assert job_counts(result.stdout) == {
        "prepare_dataset": 18, "base_model": 1, "train_intermediate": rows - 1,
        "train_target": rows * 6, "predict_shared_target": rows,  # MLQA with XQuAD's model
        "evaluate_retrieval": rows, "score": rows * 9, "table2": 1}
    assert '"max_examples": 5000' in result.stdout


@pytest.mark.workflow
def test_small_config_with_a_local_model_and_release_files(tmp_path):
    """Air-gapped: the model from a directory, every dataset from its release files (here
    empty directories: a dry run reads none of them)."""
    (tmp_path / "workflow").mkdir()
    workdir = copy_workflow(tmp_path / "workflow")
    (tmp_path / "xlmr-base").mkdir()
    local = {"model": {"source": "local", "path": str(tmp_path / "xlmr-base")},
             "datasets": {}}
    for name in load([ROOT / "config/config.yaml"])["datasets"]:
        (tmp_path / "releases" / name).mkdir(parents=True)
        local["datasets"][name] = {"source": "local", "path": str(tmp_path / "releases" / name)}
    (workdir / "local.yaml").write_text(yaml.safe_dump(local))
    result = snakemake(workdir, "-n", "results/table2.csv", "--configfile", "config/small.yaml",
                       "local.yaml")
    rows = 11  # with CCGbank's files in place, ccg and multitask too
    counts = job_counts(result.stdout)
    assert counts["train_target"] == rows * 6 and counts["evaluate_retrieval"] == rows


# --- overlays that narrow -------------------------------------------------------------------

NARROW = """\
experiment: {baseline: true, intermediate: [mnli], targets: [xnli, udpos, tatoeba]}
extra_tables: {mlm: null, translated: null}
intermediate_tasks: {mnli_translated: null}
datasets:
  mnli_mt: null
  xnli: {languages: [en, de]}
  udpos: {languages: [en, de]}
  tatoeba: {languages: [de, fr]}
target_tasks:
  xnli: {languages: [en, de]}
  udpos: {languages: [en, de]}
  tatoeba: {languages: [de, fr]}
"""


@pytest.mark.workflow
def test_overlay_keeps_exactly_the_rows_targets_and_languages_it_names(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "narrow.yaml").write_text(NARROW)
    result = snakemake(workdir, "-n", "--configfile", "narrow.yaml")  # the default target
    assert job_counts(result.stdout) == {
        "prepare_dataset": 4, "base_model": 1, "train_intermediate": 1, "train_target": 4,
        "evaluate_retrieval": 2, "score": 6, "table2": 1, "table3": 1, "table1": 1,
        "paper_comparison": 1, "figures": 1, "curves": 1, "report_tables": 1, "audit": 1,
        "all": 1}
    prepared = {line.split("data/prepared/")[1] for line in result.stdout.splitlines()
                if "output: data/prepared/" in line}
    assert prepared == {"mnli", "xnli", "udpos", "tatoeba"}
    specs = [line for line in result.stdout.splitlines() if "--spec" in line]
    assert specs and all('"languages": ["en", "de"]' in line or "tatoeba" in line
                         for line in specs if "xnli" in line or "udpos" in line)
