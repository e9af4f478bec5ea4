"""The XTREME submission export: XTREME's own evaluation rules (tests/helpers/xtreme_evaluate.py)
score the exported predictions of the demo's baseline row to the numbers of our score
files, for every leaderboard task of the demo slice; the evaluator itself on hand-made
files."""

import json
import subprocess

import pytest
from workflow import BIN, DEMO, SLICE_LANGUAGES
from xtreme_evaluate import evaluate, read_tags

from xstilts.evaluate.xtreme_export import FOLDERS
from xstilts.spec import paths


def test_evaluator_reads_and_scores_files_as_xtreme_does(tmp_path):
    for folder, name, labels, predictions in [
        ("labels", "pawsx", "1\n0\n0\n1\n", "1\n1\n0\n1\n"),
        ("labels", "bucc2018", "de-1\ten-7\nde-2\ten-9\n", ""),
        ("labels", "panx", "B-PER\nI-PER\nO\n\nB-LOC\n", "B-PER\nI-PER\nO\n\nO\n"),
    ]:
        for side, text in ((folder, labels), ("predictions", predictions)):
            (tmp_path / side / name).mkdir(parents=True)
            (tmp_path / side / name / "test-de.tsv").write_text(text)
    (tmp_path / "predictions/bucc2018/test-de.tsv").write_text(
        "de-1\ten-7\nde-2\ten-8\nde-3\ten-9\n")
    scores = evaluate(tmp_path / "predictions", tmp_path / "labels")
    assert scores["pawsx"] == {"de": {"accuracy": 75.0}}
    # 1 of 3 extracted pairs right, 1 of 2 gold pairs found: P 1/3, R 1/2, F1 0.4
    assert scores["bucc2018"]["de"] == pytest.approx(
        {"f1": 40.0, "precision": 100 / 3, "recall": 50.0})
    # one of the two gold entities found, no false one: P 1, R 1/2, F1 2/3
    assert scores["panx"]["de"]["f1"] == pytest.approx(200 / 3)
    assert read_tags(tmp_path / "labels/panx/test-de.tsv") == [["B-PER", "I-PER", "O"],
                                                                ["B-LOC"]]


@pytest.mark.workflow
def test_export_of_the_baseline_row_scores_to_our_numbers(demo_run):
    for kind, option in (("predictions", []), ("labels", ["--gold"])):
        subprocess.run([str(BIN / "python"), "scripts/export_xtreme.py", "--configfile",
                        *DEMO[1:], "--row", "baseline", "--output", f"xtreme/{kind}", *option],
                       cwd=demo_run, check=True, capture_output=True, text=True, timeout=300)
    scores = evaluate(demo_run / "xtreme/predictions", demo_run / "xtreme/labels")
    assert set(scores) == {FOLDERS[task] for task in SLICE_LANGUAGES}
    for task in SLICE_LANGUAGES:
        ours = json.loads((demo_run / paths.fill(paths.SCORES, intermediate="baseline",
                                                 target=task, seed=1)).read_text())
        expected = (ours.get("test") or ours)["languages"]  # the split XTREME tests on
        assert set(scores[FOLDERS[task]]) == set(expected)
        for language, metrics in scores[FOLDERS[task]].items():
            for name, value in metrics.items():
                assert value == pytest.approx(expected[language][name]), (task, language, name)
