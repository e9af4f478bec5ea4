"""The workflow as users run it: the demo end to end, reruns, dry runs of the paper, lint.

Each test works in a fresh copy of the workflow files, so outputs in the checkout are
never touched and never reused.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from workflow import (
    BIN,
    DEMO,
    ROOT,
    SLICE_LANGUAGES,
    SLICE_ROWS,
    copy_workflow,
    job_counts,
    read_csv,
    snakemake,
)

from xstilts.spec import paths

pytestmark = pytest.mark.workflow


def test_demo_builds_table2(demo_run):
    rows = read_csv(demo_run / "results/table2.csv")
    assert [row["intermediate"] for row in rows] == SLICE_ROWS
    targets = list(SLICE_LANGUAGES)
    columns = ["intermediate", *targets, "classification", "structured_prediction",
               "question_answering", "retrieval", "average"]
    assert list(rows[0]) in (columns, [*columns, "note"])
    for row in rows:
        collapsed = [target for target in targets if json.loads(
            (demo_run / f"results/scores/{row['intermediate']}/{target}/seed1.json")
            .read_text())["collapsed"]]
        # a collapsed run (one output for everything) is named in the note, not dropped
        assert all(f"{target} seed 1: every prediction is" in row.get("note", "")
                   for target in collapsed)
        # UD-POS kk has no dev split: left out of the dev average, and named
        assert row["note"].startswith("udpos averages without kk (no validation split")
        assert ("collapsed" in row["note"]) == bool(collapsed)
        values = [float(row[column]) for column in (*targets, "average")]
        assert all(0 <= value <= 100 for value in values), row
        assert float(row["average"]) == pytest.approx(
            sum(float(row[target]) for target in targets) / len(targets), abs=0.011)
        # one task per category in the slice: each category average is that task's score
        assert float(row["retrieval"]) == pytest.approx(float(row["tatoeba"]), abs=0.011)


def test_long_form_has_every_language(demo_run):
    rows = [row for row in read_csv(demo_run / "results/table2_long.csv")
            if row["language"] != "all"]  # "all": the task score
    assert {row["seed"] for row in rows} == {"1", "mean"}
    languages = {(r["intermediate"], r["target"]): set() for r in rows}
    for row in rows:
        languages[row["intermediate"], row["target"]].add(row["language"])
    assert len(languages) == len(SLICE_ROWS) * len(SLICE_LANGUAGES)
    for (_, target), seen in languages.items():
        # UD-POS kk has no dev split: left out of the dev table
        assert seen == SLICE_LANGUAGES[target] - ({"kk"} if target == "udpos" else set())
    qa_metrics = {r["metric"] for r in rows if r["target"] == "xquad"}
    assert qa_metrics == {"exact_match", "f1"}
    # every number with its bootstrap interval; improvements only for the other rows
    for row in rows:
        assert float(row["ci_low"]) <= float(row["value"]) + 1e-4
        assert float(row["value"]) <= float(row["ci_high"]) + 1e-4
        assert (row["improvement"] == "") == (row["intermediate"] == "baseline")


def test_multitask_checkpoint_feeds_every_target(demo_run):
    record = json.loads(
        (demo_run / "models/intermediate/multitask/seed1/provenance.json").read_text())
    assert set(record["encoder_transfer"]) == {"anli_plus", "mnli", "qqp", "squad_v1",
                                               "squad_v2", "hellaswag", "cosmosqa",
                                               "commonsenseqa", "ccg"}
    target = json.loads(
        (demo_run / "models/target/multitask/udpos/seed1/provenance.json").read_text())
    assert target["inputs"]["init"]["path"] == "models/intermediate/multitask/seed1"


def test_task_score_is_mean_over_languages(demo_run):
    scores = json.loads((demo_run / "results/scores/mnli/pawsx/seed1.json").read_text())
    per_language = [result["accuracy"] for result in scores["languages"].values()]
    assert scores["score"] == pytest.approx(sum(per_language) / len(per_language))
    # next to each language's metric, what a bootstrap resamples: each example right or not
    for language, material in scores["examples"].items():
        correct = material["columns"]["accuracy"]
        assert 100 * sum(correct) / len(correct) == scores["languages"][language]["accuracy"]
    table = {row["intermediate"]: row for row in read_csv(demo_run / "results/table2.csv")}
    assert float(table["mnli"]["pawsx"]) == pytest.approx(scores["score"], abs=0.005)


def test_checkpoints_are_safetensors_with_provenance(demo_run):
    target = demo_run / "models/target/mnli/pawsx/seed1"
    assert (target / "model.safetensors").exists()
    assert not list(demo_run.rglob("*.bin")) and not list(demo_run.rglob("*.pt"))
    record = json.loads((target / "provenance.json").read_text())
    assert record["params"]["task"] == "pawsx"
    assert record["inputs"]["init"]["path"] == "models/intermediate/mnli/seed1"
    assert record["selection"]["best_step"] is not None
    assert record["encoder_transfer"]["encoder_weights_loaded"] > 0
    assert not list(demo_run.rglob("*.work")) and not list(demo_run.rglob("*.partial"))


def test_two_seeds_give_means_and_per_seed_values(demo_run, tmp_path):
    """Adding a seed trains only that seed's runs; Table 2 shows the mean over seeds."""
    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)  # keeps seed 1 and its timestamps
    (workdir / "seeds.yaml").write_text(
        "seeds: [1, 2]\nexperiment:\n  intermediate: [mnli]\n  targets: [pawsx]\n")
    result = snakemake(workdir, "results/table2.csv", "--cores", "2", *DEMO, "seeds.yaml")
    assert job_counts(result.stdout + result.stderr) == {"train_intermediate": 1, "train_target": 2,
                                         "score": 2, "table2": 1}
    long = read_csv(workdir / "results/table2_long.csv")
    score = {(row["intermediate"], row["seed"]): row["value"] for row in long
             if row["language"] == "all"}
    table = {row["intermediate"]: row for row in read_csv(workdir / "results/table2.csv")}
    for row in ("baseline", "mnli"):
        seeds = [float(score[row, seed]) for seed in ("1", "2")]
        assert float(score[row, "mean"]) == pytest.approx(sum(seeds) / 2, abs=1e-4)
        assert float(score[row, "std"]) == pytest.approx(abs(seeds[0] - seeds[1]) / 2 ** 0.5,
                                                         abs=1e-4)
        assert float(table[row]["pawsx"]) == pytest.approx(sum(seeds) / 2, abs=0.005)


def test_second_run_does_nothing(demo_run):
    result = snakemake(demo_run, "results/table2.csv", "-n", *DEMO)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_toggling_warm_start_reruns_nothing(demo_run):
    # it reaches the model jobs through the shell prefix, not their commands or parameters
    (demo_run / "cold.yaml").write_text("warm_start: false\n")
    targets = [paths.fill(paths.SCORES, intermediate=row, target=target, seed=1)
               for row in SLICE_ROWS for target in SLICE_LANGUAGES]
    result = snakemake(demo_run, "-n", *targets, *DEMO, "cold.yaml")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_target_hyperparameter_change_reruns_only_affected_jobs(demo_run):
    (demo_run / "override.yaml").write_text("target_tasks:\n  pawsx:\n    epochs: 1\n")
    result = snakemake(demo_run, "results/table2.csv", "-n", *DEMO, "override.yaml")
    assert job_counts(result.stdout) == {"train_target": len(SLICE_ROWS),
                                         "score": len(SLICE_ROWS), "table2": 1}
    assert "results/predictions/mnli/udpos/seed1.json" not in result.stdout


def test_retrieval_layer_change_reruns_only_retrieval_jobs(demo_run):
    (demo_run / "layer.yaml").write_text("model:\n  retrieval_layer: 2\n")
    result = snakemake(demo_run, "results/table2.csv", "-n", *DEMO, "layer.yaml")
    # the base model and every trained model stay; each row's BUCC and Tatoeba are redone
    # one retrieval job per row; tatoeba is the slice's only retrieval target
    assert job_counts(result.stdout) == {"evaluate_retrieval": len(SLICE_ROWS),
                                         "score": len(SLICE_ROWS), "table2": 1}


def test_paper_dry_run_lists_the_whole_graph(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n", "results/table2.csv")
    # Rows: the baseline and 8 intermediate tasks (ccg and multi-task, which trains on
    # ccg too, are left out without the user's CCGbank, so are its data); targets: 7
    # trained and 2 evaluated straight from the intermediate checkpoint (BUCC, Tatoeba).
    # MLQA is predicted with XQuAD's SQuAD model of its row (xstilts.config.sharing).
    rows, trained, retrieval = 9, 7, 2
    assert job_counts(result.stdout) == {
        "prepare_dataset": 19 - 1, "base_model": 1, "train_intermediate": rows - 1,
        "train_target": rows * (trained - 1), "predict_shared_target": rows,
        "evaluate_retrieval": rows, "score": rows * (trained + retrieval), "table2": 1,
    }


def test_paper_dry_run_plans_every_experiment_of_the_paper(tmp_path):
    """The default target: Table 2 plus the test-set table, the MLM and translated-data
    tables (their rows trained like Table 2's) and the translation quality."""
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n")
    counts = job_counts(result.stdout)
    # Table 2's 9 rows (see above) + mnli_mlm, squad_v2_mlm, hellaswag_mlm, mnli_translated
    rows = 9 + 4
    assert counts["train_intermediate"] == rows - 1
    assert counts["train_target"] == rows * 6 and counts["predict_shared_target"] == rows
    assert counts["evaluate_retrieval"] == rows
    assert {rule: counts[rule] for rule in ("table2", "table3", "extra_table",
                                            "translation_quality")} == {
        "table2": 1, "table3": 1, "extra_table": 2, "translation_quality": 1}
    for output in ("models/intermediate/mnli_mlm/seed1",
                   "models/intermediate/mnli_translated/seed1", "results/table3.csv",
                   "results/table_mlm.csv", "results/table_translated.csv",
                   "data/prepared/mlm_corpus", "data/prepared/mnli_mt"):
        assert f"output: {output}" in result.stdout, output


def test_paper_dry_run_through_slurm_profile(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n", "--profile", "profiles/slurm", "results/table2.csv")
    counts = job_counts(result.stdout)
    # rows x trained targets, MLQA predicted with XQuAD's model (xstilts.config.sharing)
    assert counts["train_target"] == 9 * 6 and counts["predict_shared_target"] == 9
    for runtime, jobs in (("1440", 9 * 6), ("240", counts["evaluate_retrieval"]),
                          ("120", counts["predict_shared_target"])):
        lines = [line for line in result.stdout.splitlines()
                 if "resources:" in line and f"runtime={runtime}," in line]
        assert len(lines) == jobs > 0 and all("gpu=1" in line for line in lines), runtime


def test_missing_licensed_data_leaves_its_row_empty(tmp_path):
    """The paper config points at a CCGbank copy that is not here: no ccg job is planned,
    and table2 gets the row with the reason to show."""
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "-n", "results/table2.csv")
    assert "models/intermediate/ccg" not in result.stdout
    assert "results/scores/ccg/" not in result.stdout
    assert "data/prepared/ccgbank" not in result.stdout
    assert '"unavailable": {"ccg": "dataset ' in result.stdout
    assert "not found at /path/to/ccgbank_1_1" in result.stdout
    # with the data in place, the row is planned like any other
    (workdir / "ccgbank").mkdir()
    (workdir / "here.yaml").write_text("datasets:\n  ccgbank:\n    path: ccgbank\n")
    result = snakemake(workdir, "-n", "models/intermediate/ccg/seed1", "--configfile",
                       "here.yaml")
    assert job_counts(result.stdout)["train_intermediate"] == 1


def test_bad_config_stops_before_any_job(tmp_path):
    workdir = copy_workflow(tmp_path)
    (workdir / "bad.yaml").write_text("training:\n  learning_rte: 0.1\n")
    result = snakemake(workdir, "-n", "--configfile", "bad.yaml", check=False)
    assert result.returncode != 0
    assert "config key 'training'" in result.stdout and "'learning_rte'" in result.stdout
    assert not (workdir / "data").exists() and not (workdir / "logs").exists()


def test_snakemake_lint_is_clean(tmp_path):
    workdir = copy_workflow(tmp_path)
    result = snakemake(workdir, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("command", [
    ["snakefmt", "--check", "Snakefile", "rules"],
    ["ruff", "check", "."],
])
def test_formatters_are_clean(command):
    result = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_official_prediction_file_scores_alone(demo_run):
    """A single-language `{id: label}` file is scored by the scoring command by itself."""
    predictions = json.loads((demo_run / "results/predictions/mnli/pawsx/seed1.json").read_text())
    official = demo_run / "fr.json"
    official.write_text(json.dumps(predictions["predictions"]["fr"]))
    result = subprocess.run(
        [str(BIN / "python"), "scripts/score.py", "--task", "pawsx", "--configfile",
         "config/config.yaml", "config/demo.yaml", "--data", "data/prepared",
         "--predictions", "fr.json", "--language", "fr"],
        cwd=demo_run, capture_output=True, text=True, check=True)
    expected = json.loads((demo_run / "results/scores/mnli/pawsx/seed1.json").read_text())
    assert json.loads(result.stdout)["languages"] == {"fr": expected["languages"]["fr"]}
