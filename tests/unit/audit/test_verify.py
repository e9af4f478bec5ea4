"""The audit walks every Table 2 cell back to the base model and finds what changed.

Unit tests on a small tree of real records (built with xstilts.store.provenance, no training),
then the demo slice end to end (marked `workflow`).
"""

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from audits import audit_command, flip_byte
from specs import task_spec

from xstilts.audit import describe, verify
from xstilts.evaluate.scoring import score_file
from xstilts.report.outputs import publish
from xstilts.spec import paths
from xstilts.store import provenance

REPO = Path(__file__).resolve().parents[3]
CLEAN = {"commit": "0123456789abcdef", "dirty": False}
# (row, target, seed) of the synthetic tree; tatoeba is predicted by the intermediate model
CELLS = [("baseline", "pawsx", 1), ("mnli", "pawsx", 1), ("mnli", "tatoeba", 1)]
CATEGORIES = {"pawsx": "classification", "tatoeba": "retrieval"}
LABELS = ["no", "yes"]


def write(path: str, content: bytes) -> Path:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_bytes(content)
    return Path(path)


GOLD = ["yes", "no", "yes", "no"]  # the English validation split of every dataset


def dataset(name: str) -> None:
    """A prepared dataset: one split file and a manifest that hashes it."""
    split = Path(f"data/prepared/{name}/en/validation.parquet")
    split.parent.mkdir(parents=True)
    pq.write_table(pa.table({"id": [str(i) for i in range(len(GOLD))],
                             "label": [LABELS.index(label) for label in GOLD]}), split)
    manifest = {"dataset": name, "format": "pair_classification", "label_names": LABELS,
                "source": {"source": "demo", "revision": "abc"},
                "files": {"en/validation": {"rows": 4, "sha256": provenance.sha256_file(split)}}}
    write(f"data/prepared/{name}/manifest.json", json.dumps(manifest).encode())


def checkpoint(path: str, kind: str, init: str | None, datasets: list[str]) -> None:
    write(f"{path}/model.safetensors", f"weights of {path}".encode())
    write(f"{path}/config.json", b"{}")
    inputs = {"data": provenance.dataset_refs("data/prepared", datasets)}
    if init:
        inputs["init"] = provenance.checkpoint_ref(init)
    record = provenance.record(
        "base_model" if init is None else "checkpoint", params={"kind": kind, "seed": 1},
        inputs=inputs, outputs={"files": provenance.hash_tree(path)}, started="t0")
    provenance.write_json_atomic(Path(path) / provenance.RECORD, record)


def result(path: str, kind: str, spec: dict, parent: str, right: int = 2) -> None:
    """A prediction file (`right` of the four examples right) or the score file of the
    prediction file `parent`, scored as the score job does."""
    if kind == "predictions":
        answers = [label if i < right else LABELS[1 - LABELS.index(label)]
                   for i, label in enumerate(GOLD)]
        data = {"predictions": {"en": {str(i): answer for i, answer in enumerate(answers)}}}
        record = provenance.predictions_record(task_spec(spec), Path(parent),
                                               Path("data/prepared"), "t0")
    else:
        data = score_file(task_spec(spec), Path("data/prepared"),
                          json.loads(Path(parent).read_text()))
        record = provenance.scores_record(task_spec(spec), Path(parent), Path("data/prepared"),
                                          "t0")
    provenance.write_result(Path(path), {**data, "provenance": record})


LAYOUT = {"rows": ["baseline", "mnli"], "targets": ["pawsx", "tatoeba"], "seeds": [1],
          "categories": CATEGORIES}
BOOTSTRAP = {"resamples": 20, "seed": 0, "confidence": 0.95}


def tables(scores: dict[tuple, Path]) -> None:
    """Table 2 as the table2 job writes it (xstilts.report.outputs.publish)."""
    publish("table", params={"layout": LAYOUT, "bootstrap": BOOTSTRAP},
            inputs={"scores": [str(path) for path in scores.values()]},
            outputs={kind: paths.grid_file(kind, verify.TABLE2)
                     for kind in ("table", "long", "ci", "records")},
            record=paths.grid_file("provenance", verify.TABLE2))


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A finished grid of three cells with records, Table 2 and its record ids; cwd."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(provenance, "code_version", lambda: CLEAN)
    for name in ("pawsx", "tatoeba", "mnli"):
        dataset(name)
    checkpoint("models/base", "base", None, ["pawsx", "tatoeba", "mnli"])
    checkpoint("models/intermediate/mnli/seed1", "intermediate_tasks", "models/base", ["mnli"])
    scores = {}
    for row, target, seed in CELLS:
        spec = {"task": target, "metric": "accuracy", "seed": seed, "languages": ["en"],
                "eval": {"dataset": target, "split": "validation"}}
        model = "models/base" if row == "baseline" else f"models/intermediate/{row}/seed1"
        if target == "pawsx":
            model = f"models/target/{row}/{target}/seed{seed}"
            checkpoint(model, "target_tasks", "models/base" if row == "baseline" else
                       f"models/intermediate/{row}/seed1", ["pawsx"])
        predictions = f"results/predictions/{row}/{target}/seed{seed}.json"
        result(predictions, "predictions", spec, model, right=1 + len(scores))
        scores[row, target, seed] = Path(paths.fill(paths.SCORES, intermediate=row,
                                                    target=target, seed=seed))
        result(str(scores[row, target, seed]), "scores", spec, predictions)
    tables(scores)
    return tmp_path


def run_audit(root: Path) -> dict[tuple, verify.Cell]:
    cells = verify.audit_cells(root, verify.read_cells(root))
    return {(cell.intermediate, cell.target, cell.seed): cell for cell in cells}


def statuses(cells: dict) -> dict[tuple, str]:
    return {key: cell.status for key, cell in cells.items()}


def test_intact_tree_verifies_every_cell_down_to_the_base_model(tree):
    cells = run_audit(tree)
    assert statuses(cells) == dict.fromkeys(CELLS, verify.OK)
    chain = [(link.role, link.path) for link in cells["mnli", "pawsx", 1].links]
    assert chain == [
        ("table", paths.grid_file("long", verify.TABLE2)),
        ("scores", "results/scores/mnli/pawsx/seed1.json"),
        ("predictions", "results/predictions/mnli/pawsx/seed1.json"),
        ("target checkpoint", "models/target/mnli/pawsx/seed1"),
        ("intermediate checkpoint", "models/intermediate/mnli/seed1"),
        ("base model", "models/base"),
        # the data each record read: pawsx (predictions, target), mnli, the base's corpus
        ("data", "data/prepared/pawsx/manifest.json"),
        ("data", "data/prepared/mnli/manifest.json"),
        ("data", "data/prepared/tatoeba/manifest.json"),
    ]
    # retrieval and the baseline row skip the checkpoints they do not have
    assert [link.role for link in cells["mnli", "tatoeba", 1].links][:5] == [
        "table", "scores", "predictions", "intermediate checkpoint", "base model"]
    assert [link.role for link in cells["baseline", "pawsx", 1].links][:5] == [
        "table", "scores", "predictions", "target checkpoint", "base model"]
    assert not verify.failed(list(cells.values()))


def test_modified_target_checkpoint_fails_only_its_cell_and_names_the_file(tree):
    flip_byte(tree / "models/target/mnli/pawsx/seed1/model.safetensors")
    cells = run_audit(tree)
    assert statuses(cells) == {**dict.fromkeys(CELLS, verify.OK),
                               ("mnli", "pawsx", 1): verify.MODIFIED}
    [problem] = cells["mnli", "pawsx", 1].problems()
    assert (problem.role, problem.status) == ("target checkpoint", verify.MODIFIED)
    assert "models/target/mnli/pawsx/seed1/model.safetensors" in problem.detail


def test_modified_intermediate_checkpoint_fails_every_cell_of_its_row(tree):
    flip_byte(tree / "models/intermediate/mnli/seed1/config.json")
    assert statuses(run_audit(tree)) == {("baseline", "pawsx", 1): verify.OK,
                                         ("mnli", "pawsx", 1): verify.MODIFIED,
                                         ("mnli", "tatoeba", 1): verify.MODIFIED}


def test_changed_record_of_a_parent_is_modified(tree):
    record = tree / "models/intermediate/mnli/seed1" / provenance.RECORD
    record.write_text(record.read_text().replace('"seed": 1', '"seed": 2'))
    problems = run_audit(tree)["mnli", "tatoeba", 1].problems()
    assert [(link.role, link.status) for link in problems] == [
        ("intermediate checkpoint", verify.MODIFIED)]


def test_file_a_checkpoint_record_does_not_list_is_modified(tree):
    write("models/base/extra.bin", b"?")
    problems = run_audit(tree)["baseline", "pawsx", 1].problems()
    assert [(link.role, link.status) for link in problems] == [("base model", verify.MODIFIED)]
    assert "models/base/extra.bin" in problems[0].detail


def test_modified_or_missing_results(tree):
    flip_byte(tree / "results/predictions/mnli/tatoeba/seed1.json")
    (tree / "results/scores/baseline/pawsx/seed1.json").unlink()
    cells = run_audit(tree)
    assert [(link.role, link.status) for link in cells["mnli", "tatoeba", 1].problems()] == [
        ("predictions", verify.MODIFIED)]
    assert cells["baseline", "pawsx", 1].status == verify.MISSING
    assert cells["mnli", "pawsx", 1].status == verify.OK


def test_score_file_other_than_the_tables_is_modified(tree):
    path = tree / "results/scores/mnli/pawsx/seed1.json"
    path.write_text(path.read_text().replace('"score": 50.0', '"score": 99.0'))
    problems = run_audit(tree)["mnli", "pawsx", 1].problems()
    assert [(link.role, link.status) for link in problems] == [
        ("table", verify.MODIFIED), ("scores", verify.MODIFIED)]
    assert "differs from the score file the table was built from" in problems[0].detail
    assert "content differs from what its job wrote" in problems[1].detail


def edit_json(path: Path, change) -> None:
    """A hand edit that keeps the file's provenance record as it was."""
    content = json.loads(path.read_text())
    change(content)
    path.write_text(json.dumps(content))


def rebuild_scores_and_tables(spec: dict) -> None:
    """What `snakemake results/table2.csv` does after an edited prediction file: rescore
    it (a new, consistent score record) and rebuild the tables."""
    predictions = "results/predictions/mnli/pawsx/seed1.json"
    result(paths.fill(paths.SCORES, intermediate="mnli", target="pawsx", seed=1), "scores",
           spec, predictions)
    rebuild_tables()


def rebuild_tables() -> None:
    tables({key: Path(paths.fill(paths.SCORES, intermediate=key[0], target=key[1], seed=1))
            for key in CELLS})


PAWSX = {"task": "pawsx", "metric": "accuracy", "seed": 1, "languages": ["en"],
         "eval": {"dataset": "pawsx", "split": "validation"}}


def test_edited_predictions_stay_modified_after_the_tables_were_rebuilt(tree):
    edit_json(tree / "results/predictions/mnli/pawsx/seed1.json",
              lambda content: content.update(score=1))
    rebuild_scores_and_tables(PAWSX)
    problems = run_audit(tree)["mnli", "pawsx", 1].problems()
    assert [(link.role, link.status) for link in problems] == [("predictions", verify.MODIFIED)]
    assert "content differs from what its job wrote" in problems[0].detail


def test_edited_score_stays_modified_after_the_tables_were_rebuilt(tree):
    edit_json(tree / "results/scores/mnli/pawsx/seed1.json",
              lambda content: content["languages"]["en"].update(accuracy=99.0))
    rebuild_tables()
    problems = run_audit(tree)["mnli", "pawsx", 1].problems()
    assert [(link.role, link.status) for link in problems] == [("scores", verify.MODIFIED)]


@pytest.mark.parametrize("table", ["results/table2.csv", "results/table2_long.csv",
                                   "results/table2_records.csv"])
def test_edited_table_cell_is_modified(tree, table):
    path = tree / table
    header, first_row, rest = path.read_text().split("\n", 2)
    digit = next(char for char in first_row if char.isdigit())
    path.write_text("\n".join([header, first_row.replace(digit, str((int(digit) + 1) % 10)),
                               rest]))
    cells = run_audit(tree)
    assert {cell.status for cell in cells.values()} == {verify.MODIFIED}
    problem = cells["mnli", "pawsx", 1].first_problem()
    assert (problem.role, problem.path) == ("table", table)


def test_table_without_its_record_is_missing(tree):
    (tree / paths.grid_file("provenance", verify.TABLE2)).unlink()
    problem = run_audit(tree)["mnli", "pawsx", 1].first_problem()
    assert (problem.status, problem.path) == (verify.MISSING, "results/table2.provenance.json")


def test_result_written_before_content_hashing_is_not_ok(tree):
    path = tree / "results/predictions/mnli/pawsx/seed1.json"
    edit_json(path, lambda content: content["provenance"]["outputs"].clear())
    rebuild_scores_and_tables(PAWSX)
    assert run_audit(tree)["mnli", "pawsx", 1].status == verify.MISSING


def test_a_job_refuses_a_parent_checkpoint_whose_weights_differ_from_its_record(tree):
    parent = tree / "models/intermediate/mnli/seed1"
    (parent / ".snakemake_timestamp").write_text("")  # added by Snakemake: not a weight
    ref = provenance.verified_checkpoint(parent)
    assert ref["files"] == provenance.hash_tree(parent) and ref["record_sha256"]
    flip_byte(parent / "model.safetensors")
    with pytest.raises(provenance.ProvenanceError,
                       match="seed1/model.safetensors: content differs from its record"):
        provenance.verified_checkpoint(parent)
    (parent / "model.safetensors").unlink()
    with pytest.raises(provenance.ProvenanceError, match="model.safetensors: not on disk"):
        provenance.verified_checkpoint(parent)
    (parent / provenance.RECORD).unlink()
    with pytest.raises(provenance.ProvenanceError, match="provenance.json: missing"):
        provenance.verified_checkpoint(parent)


def test_child_records_hold_the_content_they_were_made_from(tree):
    target = json.loads((tree / "models/target/mnli/pawsx/seed1" / provenance.RECORD).read_text())
    assert target["inputs"]["init"]["files"] == provenance.hash_tree(
        tree / "models/intermediate/mnli/seed1")
    score = json.loads((tree / "results/scores/mnli/pawsx/seed1.json").read_text())
    assert score["provenance"]["outputs"]["content_sha256"] == provenance.content_sha256(score)
    assert score["provenance"]["inputs"]["predictions"]["sha256"] == provenance.sha256_file(
        tree / "results/predictions/mnli/pawsx/seed1.json")


def test_modified_data_file_fails_the_cells_that_read_it(tree):
    flip_byte(tree / "data/prepared/mnli/en/validation.parquet")
    cells = run_audit(tree)
    # mnli data: read by the mnli intermediate model and the base model's corpus
    assert {key: cell.status for key, cell in cells.items()} == dict.fromkeys(
        CELLS, verify.MODIFIED)
    [problem] = cells["mnli", "pawsx", 1].problems()
    assert problem.role == "data" and "mnli/en/validation.parquet" in problem.detail


def test_dirty_tree_is_reported_and_fails_only_when_strict(tree, monkeypatch):
    monkeypatch.setattr(provenance, "code_version", lambda: {**CLEAN, "dirty": True})
    spec = {"task": "tatoeba", "metric": "accuracy", "languages": ["en"],
            "eval": {"dataset": "tatoeba", "split": "validation"}}
    path = Path("results/scores/mnli/tatoeba/seed1.json")
    result(str(path), "scores", spec, "results/predictions/mnli/tatoeba/seed1.json")
    tables({key: Path(paths.fill(paths.SCORES, intermediate=key[0], target=key[1], seed=1))
            for key in CELLS})
    cells = run_audit(tree)
    assert statuses(cells)["mnli", "tatoeba", 1] == verify.DIRTY
    [problem] = cells["mnli", "tatoeba", 1].problems()
    assert (problem.role, problem.detail) == ("scores",
                                              "commit 0123456789ab with uncommitted changes")
    assert not verify.failed(list(cells.values()))
    assert verify.failed(list(cells.values()), strict=True)


def test_every_file_is_hashed_once(tree, monkeypatch):
    hashed = []
    monkeypatch.setattr(verify, "sha256_file",
                        lambda path: hashed.append(path) or provenance.sha256_file(path))
    run_audit(tree)
    assert hashed and len(hashed) == len(set(hashed))


def test_select_one_language_and_seed(tree):
    cells = verify.read_cells(tree)
    [cell] = verify.cells_of(cells, "mnli", "pawsx", "en", 1)
    assert cell.values == {"en": {"accuracy": "50.0000"}}
    with pytest.raises(LookupError, match="no language 'ja'"):
        verify.cells_of(verify.read_cells(tree), "mnli", "pawsx", "ja")
    with pytest.raises(LookupError, match="no cell qqp x pawsx"):
        verify.cells_of(cells, "qqp", "pawsx")


def test_command_prints_the_chain_and_exits_non_zero_on_failure(tree):
    shown = audit_command(tree, "--intermediate", "mnli", "--target", "pawsx",
                          "--language", "en")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("mnli x pawsx, seed 1: en accuracy 50.0000 (record ")
    assert lines[0].endswith(": OK")
    assert lines[4].split() == ["OK", "target", "checkpoint", "models/target/mnli/pawsx/seed1",
                                "(commit", "0123456789ab)"]
    flip_byte(tree / "models/base/model.safetensors")
    every = audit_command(tree, "--all")
    assert every.returncode == 1
    [totals] = [line for line in every.stdout.splitlines() if line.startswith("3 cells")]
    assert totals.startswith("3 cells: 3 MODIFIED; 1 outputs: 1 OK (")
    exported = json.loads(audit_command(tree, "--all", "--json").stdout)["cells"]
    assert [cell["status"] for cell in exported] == [verify.MODIFIED] * 3
    assert {"intermediate", "target", "seed", "record", "values", "links"} <= set(exported[0])


# --- end to end --------------------------------------------------------------------------------


def test_local_release_files_are_hashed_again_even_with_their_times_restored(tmp_path,
                                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    release = write("release/XNLI-1.0/xnli.dev.tsv", b"premise\thypothesis\tlabel\n")
    dataset("xnli")
    manifest_path = Path("data/prepared/xnli/manifest.json")
    manifest = json.loads(manifest_path.read_text())
    manifest["source"] = provenance.source_record({"source": "local", "path": "release",
                                                   "revision": "main"})
    manifest_path.write_text(json.dumps(manifest))
    ref = {"path": str(manifest_path), "sha256": provenance.sha256_file(manifest_path),
           "source": "local"}
    assert verify.Auditor(tmp_path).data_link("xnli", ref).status == verify.OK
    stat = release.stat()
    release.write_bytes(release.read_bytes().replace(b"label", b"lab3l"))
    os.utime(release, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # touch -r: time restored
    auditor = verify.Auditor(tmp_path)
    link = auditor.data_link("xnli", ref)
    assert (link.status, link.path) == (verify.MODIFIED, str(manifest_path))
    assert link.detail.startswith("release/XNLI-1.0/xnli.dev.tsv: differs from its recorded")
    assert auditor.sources["files"] == 1 and auditor.sources["seconds"] >= 0
    shutil.rmtree("release")  # a copy of the results without the release files
    assert "not on this machine" in verify.Auditor(tmp_path).data_link("xnli", ref).detail


def test_records_of_one_table_from_different_environments_are_noted(tree, monkeypatch):
    assert verify.audit_published(tree, digest=False).environments == {"table2": {}}
    other = {**provenance.package_versions(), "numpy": "0.0"}
    monkeypatch.setattr(provenance, "package_versions", lambda: other)
    path = Path(paths.fill(paths.SCORES, intermediate="mnli", target="pawsx", seed=1))
    result(str(path), "scores", PAWSX, "results/predictions/mnli/pawsx/seed1.json")
    rebuild_tables()
    audited = verify.audit_published(tree, digest=False)
    environments = audited.environments["table2"]
    assert len(environments) == 2
    assert environments[provenance.packages_digest(other)] == [
        "results/table2.provenance.json", str(path)]
    assert not verify.failed(audited.checked())
    note = describe.describe_environments("table2", environments)
    assert note[0] == ("NOTE        table2: its records come from 2 environments (installed "
                       "distributions differ):")


def test_code_that_is_not_one_clean_commit_fails_when_strict_naming_why(tree, monkeypatch):
    reason = "the package was imported from /clone at commit 0123456789ab, the workflow ran " \
             "from /work at fedcba987654"
    monkeypatch.setattr(provenance, "code_version",
                        lambda: {**CLEAN, "dirty": True, "problem": reason})
    path = Path(paths.fill(paths.SCORES, intermediate="mnli", target="pawsx", seed=1))
    result(str(path), "scores", PAWSX, "results/predictions/mnli/pawsx/seed1.json")
    rebuild_tables()
    problem = run_audit(tree)["mnli", "pawsx", 1].first_problem()
    assert (problem.status, problem.role, problem.detail) == (
        verify.DIRTY, "scores", f"commit 0123456789ab: {reason}")
    strict = audit_command(tree, "--all", "--strict")
    assert strict.returncode == 1 and reason in strict.stdout
    assert audit_command(tree, "--all").returncode == 0
