"""Subsets of the prepared data (xstilts.data.subsample) and how the config asks for them."""

import pyarrow as pa
import pytest
from specs import data_ref, dataset_spec

from xstilts.config import ConfigError, merge, resolve_task, subsampled, validate
from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.data.subsample import subsample
from xstilts.store.prepared import read_split, split_sizes, write_prepared


def pair_table(language: str, n: int) -> pa.Table:
    return pa.table({"id": [f"validation-{language}-{i}" for i in range(n)],
                     "text_a": [f"{language} a{i}" for i in range(n)],
                     "text_b": [f"{language} b{i}" for i in range(n)], "label": [0] * n})


def test_same_seed_same_rows_and_order_kept():
    table = pair_table("en", 200)
    first = subsample(table, "pair_classification", "en", 30, seed=0)
    assert first.num_rows == 30
    assert first.equals(subsample(table, "pair_classification", "en", 30, seed=0))
    assert first.column("id") != subsample(table, "pair_classification", "en", 30, 1).column("id")
    positions = [int(i.rsplit("-", 1)[1]) for i in first.column("id").to_pylist()]
    assert positions == sorted(positions)  # the split's own order
    assert subsample(table, "pair_classification", "en", 500, 0).num_rows == 200
    assert subsample(table, "pair_classification", "en", None, 0) is table


def test_parallel_sets_keep_the_same_examples_in_every_language():
    # XNLI and PAWS-X ids name their language; row i is the same example in each
    kept = {language: [i.rsplit("-", 1)[1] for i in subsample(
        pair_table(language, 100), "pair_classification", language, 10, 3).column("id")
        .to_pylist()] for language in ("en", "de", "zh")}
    assert kept["en"] == kept["de"] == kept["zh"]


def test_qa_counts_questions_so_windows_stay_together():
    # one canonical row per question; its windows are cut from that row when featurised
    table = pa.table({"id": [f"q{i}" for i in range(50)],
                      "context": ["word " * 900] * 50, "question": ["why?"] * 50,
                      "answers": [{"text": ["word"], "answer_start": [0]}] * 50})
    kept = subsample(table, "extractive_qa", "en", 7, 0)
    assert kept.num_rows == 7
    assert len(set(kept.column("id").to_pylist())) == 7


def test_tagging_counts_sentences():
    table = pa.table({"id": [f"s{i}" for i in range(40)],
                      "tokens": [["a", "b", "c"]] * 40, "tags": [["X", "Y", "Z"]] * 40})
    kept = subsample(table, "tagging", "de", 12, 0)
    assert kept.num_rows == 12
    assert kept.column("tokens").to_pylist() == [["a", "b", "c"]] * 12


def bucc_table(pairs: int, distractors: int) -> pa.Table:
    ids = [f"p{i}" for i in range(pairs)] + [f"d{i}" for i in range(distractors)]
    sources = [f"src {i}" for i in range(pairs)] + [
        f"lone src {i}" if i % 2 else None for i in range(distractors)]
    targets = [f"tgt {i}" for i in range(pairs)] + [
        None if i % 2 else f"lone tgt {i}" for i in range(distractors)]
    return pa.table({"id": ids, "source": sources, "target": targets})


def test_bucc_keeps_gold_pairs_whole_and_a_proportional_share_of_distractors():
    kept = subsample(bucc_table(pairs=40, distractors=400), "retrieval", "de", 10, 0)
    rows = kept.to_pylist()
    pairs = [row for row in rows if row["source"] and row["target"]]
    alone = [row for row in rows if not (row["source"] and row["target"])]
    assert len(pairs) == 10 and all(row["id"].startswith("p") for row in pairs)
    assert len(alone) == 100  # 10 of 40 pairs: a quarter of the 400 distractors
    # Tatoeba: pairs only
    assert subsample(bucc_table(30, 0), "retrieval", "fr", 5, 0).num_rows == 5


def test_read_split_subsets_prepared_data_which_stays_complete(tmp_path):
    raw = generate(LAYOUTS["xtreme_xnli"], "xnli", ["en", "de"], 6, 40, 0)
    write_prepared("xnli", dataset_spec({"schema": "xtreme_xnli", "source": "demo",
                                         "languages": ["en", "de"]}),
                   raw, tmp_path / "xnli")
    ref = {"max_examples": 9, "sample_seed": 0}
    en = read_split(tmp_path / "xnli", "en", "validation", data_ref(ref))
    de = read_split(tmp_path / "xnli", "de", "validation", data_ref(ref))
    assert [i.split("-")[-1] for i in en.column("id").to_pylist()] == [
        i.split("-")[-1] for i in de.column("id").to_pylist()]
    assert read_split(tmp_path / "xnli", "en", "validation").num_rows == 40
    assert split_sizes(tmp_path / "xnli", "en", "validation", data_ref(ref)) == {"rows": 9,
                                                                                 "of": 40}


def test_limits_reach_the_refs_of_each_task(paper_config):
    overlay = {"subsample": {"max_train_examples": 1000, "max_eval_examples": 200},
               "target_tasks": {"udpos": {"max_train_examples": 300},
                                "xnli": {"eval": {"dataset": "xnli", "split": "validation",
                                                  "max_examples": 50}}}}
    config = validate(merge(paper_config, overlay))
    xnli = resolve_task(config, "target_tasks", "xnli", 1)
    assert xnli.train[0].max_examples == 1000
    assert xnli.dev[0].max_examples == 200 and xnli.test.max_examples == 200
    assert xnli.eval.max_examples == 50
    udpos = resolve_task(config, "target_tasks", "udpos", 1)
    assert udpos.train[0].max_examples == 300
    assert "max_train_examples" not in udpos.to_dict()
    assert "subsampled data" in subsampled(config, [("target_tasks", "xnli")])


def test_complete_data_leaves_specs_unchanged(paper_config):
    config = validate(paper_config)
    xnli = resolve_task(config, "target_tasks", "xnli", 1)
    assert xnli.eval.max_examples is None and xnli.train[0].max_examples is None
    assert subsampled(config, [("target_tasks", "xnli")]) == ""


def test_null_removes_a_key_an_overlay_cannot_otherwise_remove(paper_config):
    overlay = {"extra_tables": {"mlm": None, "translated": None},
               "datasets": {"mnli_mt": None}, "intermediate_tasks": {"mnli_translated": None}}
    config = validate(merge(paper_config, overlay))
    assert config["extra_tables"] == {} and "mnli_mt" not in config["datasets"]
    with pytest.raises(ConfigError, match="mnli_translated"):
        validate(merge(paper_config, {"intermediate_tasks": {"mnli_translated": None}}))


def test_audit_names_the_subsets_a_job_read():
    from xstilts.audit.verify import OK, Link, with_subsets

    record = {"examples": {"mnli/en/train": {"rows": 100, "of": 320},
                           "mnli/en/validation_matched": {"rows": 50, "of": 50}}}
    link = with_subsets(Link("checkpoint", "models/x", OK, "commit abc"), record)
    assert link.detail == "commit abc; subsampled: mnli/en/train 100 of 320"


SUBSAMPLE = ("experiment:\n  intermediate: [mnli]\n  targets: [pawsx]\n"
             "subsample:\n  max_train_examples: 100\n  max_eval_examples: 20\n")


@pytest.mark.workflow
def test_demo_subsets_change_parameters_provenance_and_note_and_rerun_identically(
        demo_run, tmp_path):
    import json
    import shutil

    from workflow import DEMO, job_counts, snakemake

    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)
    (workdir / "subsample.yaml").write_text(SUBSAMPLE)
    args = ("results/table2.csv", "--cores", "2", *DEMO, "subsample.yaml")
    # new parameters rerun exactly the jobs that read data: training and scoring
    assert job_counts(snakemake(workdir, "-n", *args).stdout) == {
        "train_intermediate": 1, "train_target": 2, "score": 2, "table2": 1}
    snakemake(workdir, *args)
    table = (workdir / "results/table2.csv").read_text()
    assert "subsampled data (examples per split and language: train <= 100; eval <= 20" in table
    scores = json.loads((workdir / "results/scores/mnli/pawsx/seed1.json").read_text())
    assert scores["provenance"]["examples"]["pawsx/de/validation"]["rows"] == 20
    assert all(language["count"] == 20 for language in scores["languages"].values())
    record = json.loads((workdir / "models/intermediate/mnli/seed1/provenance.json").read_text())
    assert record["examples"]["mnli/en/train"] == {"rows": 100, "of": 320}
    snakemake(workdir, *args, "--forcerun", "train_intermediate", "train_target")
    assert (workdir / "results/table2.csv").read_text() == table
