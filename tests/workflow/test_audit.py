"""The audit on copies of the finished demo slice: every cell verified, hand edits and
forgeries that update their hashes found, the checkpoint reloaded and predictions made
again (`--deep`)."""


import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from audits import audit_command, flip_byte
from workflow import DEMO, read_csv, snakemake

from xstilts.audit import verify
from xstilts.spec import paths
from xstilts.store import provenance


@pytest.mark.workflow
def test_demo_audit_verifies_every_cell_and_finds_one_changed_checkpoint(demo_run, tmp_path):
    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)  # demo_run is shared: never change it
    table = read_csv(workdir / "results/table2.csv")
    cells = {(row["intermediate"], target) for row in table
             for target in ("pawsx", "udpos", "xquad", "tatoeba")}
    before = json.loads(audit_command(workdir, "--table", "table2", "--json").stdout)["cells"]
    assert {(cell["intermediate"], cell["target"]) for cell in before} == cells
    # verified: every hash matches (a dirty working tree is only a warning)
    assert {cell["status"] for cell in before} <= {verify.OK, verify.DIRTY}

    flip_byte(workdir / "models/target/mnli/pawsx/seed1/model.safetensors")
    after = audit_command(workdir, "--table", "table2", "--json")
    assert after.returncode == 1
    after_cells = json.loads(after.stdout)["cells"]
    modified = {(cell["intermediate"], cell["target"]) for cell in after_cells
                if cell["status"] not in (verify.OK, verify.DIRTY)}
    assert modified == {("mnli", "pawsx")}
    [cell] = [cell for cell in after_cells
              if (cell["intermediate"], cell["target"]) == ("mnli", "pawsx")]
    assert cell["status"] == verify.MODIFIED
    assert set(cell["values"]) == {"en", "de", "fr", "zh", "all"}
    [problem] = [link for link in cell["links"] if link["status"] == verify.MODIFIED]
    assert problem["role"] == "target checkpoint"
    assert problem["detail"].startswith("models/target/mnli/pawsx/seed1/model.safetensors")



def modified_links(workdir: Path, intermediate: str, target: str) -> list[dict]:
    audited = json.loads(audit_command(workdir, "--table", "table2", "--json").stdout)["cells"]
    [cell] = [cell for cell in audited
              if (cell["intermediate"], cell["target"]) == (intermediate, target)]
    return [link for link in cell["links"] if link["status"] == verify.MODIFIED]



@pytest.mark.workflow
def test_demo_hand_edits_stay_modified_after_snakemake_rebuilt_the_tables(demo_run, tmp_path):
    """Acceptance of content-addressed provenance on the demo: an edited prediction file,
    score file or table cell is MODIFIED, also after `snakemake` rebuilt the tables from it;
    a job refuses a parent checkpoint whose weights differ from its record."""
    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)
    predictions = workdir / "results/predictions/mnli/pawsx/seed1.json"
    content = json.loads(predictions.read_text())
    german = content["predictions"]["de"]
    for example in list(german)[:10]:
        german[example] = "paraphrase" if german[example] != "paraphrase" else "not_paraphrase"
    predictions.write_text(json.dumps(content))
    score = workdir / "results/scores/baseline/udpos/seed1.json"
    content = json.loads(score.read_text())
    content["languages"]["de"]["f1"] = 99.0
    score.write_text(json.dumps(content))
    snakemake(workdir, "results/table2.csv", "--cores", "2", *DEMO)
    [link] = modified_links(workdir, "mnli", "pawsx")
    assert (link["role"], link["path"]) == ("predictions", str(predictions.relative_to(workdir)))
    assert [link["role"] for link in modified_links(workdir, "baseline", "udpos")] == ["scores"]

    table = workdir / "results/table2.csv"
    table.write_text(table.read_text().replace("baseline,", "baseline,1", 1))
    assert {link["path"] for link in modified_links(workdir, "baseline", "xquad")} == {
        "results/table2.csv"}

    weights = workdir / "models/intermediate/mnli/seed1/model.safetensors"
    flip_byte(weights)
    retrieval = subprocess.run(
        [sys.executable, "scripts/retrieve.py", "--specs", "[]", "--init",
         "models/intermediate/mnli/seed1", "--layer", "1", "--data", "data/prepared",
         "--outputs", "unused.json"], cwd=workdir, capture_output=True, text=True)
    assert retrieval.returncode == 1
    assert ("models/intermediate/mnli/seed1/model.safetensors: content differs from its "
            "record") in retrieval.stderr



def forge_json(path: Path, change) -> None:
    """Edit a result file and its record's content hash together, as a forger would."""
    content = json.loads(path.read_text())
    change(content)
    content["provenance"]["outputs"]["content_sha256"] = provenance.content_sha256(content)
    path.write_text(json.dumps(content))



def forge_csv(workdir: Path, table: str, old: str, new: str, record: str = "") -> None:
    """Edit a table and the hash its record (default: the table's own) holds, together."""
    path = workdir / table
    path.write_text(path.read_text().replace(old, new, 1))
    record = workdir / (record or paths.provenance_of(table))
    content = json.loads(record.read_text())
    content["outputs"]["files"][table] = provenance.sha256_file(path)
    record.write_text(json.dumps(content))



def problems_named(workdir: Path, *args: str) -> tuple[int, list[dict]]:
    """(exit status, every failed link of every cell and output) of `audit --all --json`."""
    shown = audit_command(workdir, "--all", "--json", *args)
    report = json.loads(shown.stdout)
    return shown.returncode, [link for item in report["cells"] + report["outputs"]
                              for link in item["links"] if link["status"] in verify.FAILED]



@pytest.mark.workflow
def test_demo_audit_recomputes_and_finds_forgeries_that_update_their_hashes(demo_run, tmp_path):
    """Acceptance on the demo slice: every output is recorded and rebuilt, and two-file
    forgeries (a value and its hash) are WRONG, naming the file, the cell and both values;
    a rewrite of the whole chain fails only against the published digest."""
    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)
    clean = audit_command(workdir, "--all", "--digest-out", str(tmp_path / "digest.json"))
    assert clean.returncode == 0, clean.stdout[-3000:]
    assert "no record names this file" not in clean.stdout
    published = json.loads((tmp_path / "digest.json").read_text())
    assert f"root digest {published['root']}" in clean.stdout
    # the default target's audit wrote the same digest, and its files stay out of it
    assert json.loads((workdir / paths.AUDIT_DIGEST).read_text()) == published
    kinds = {output["kind"] for output in json.loads(
        audit_command(workdir, "--all", "--json").stdout)["outputs"]}
    assert kinds == {"table", "table1", "table3", "paper_comparison", "translation_quality",
                     "figures", "curves", "report_tables"}
    for name in ("table2", "table3", "table1", "paper_comparison", "translation_quality",
                 "figures", "table_mlm", "curves", "report_tables"):
        assert audit_command(workdir, "--table", name).returncode == 0, name
    backup = tmp_path / "backup"
    shutil.copytree(workdir / "results", backup)

    def restore():
        shutil.rmtree(workdir / "results")
        shutil.copytree(backup, workdir / "results")

    long_rows = read_csv(workdir / "results/table2_long.csv")
    [german] = [row for row in long_rows if (row["intermediate"], row["target"], row["language"],
                                             row["seed"]) == ("mnli", "pawsx", "de", "1")]
    line = ",".join(list(german.values())[:6])
    forge_csv(workdir, paths.TABLE2_LONG, line, line.rsplit(",", 1)[0] + ",88.0000",
              paths.TABLE2_PROVENANCE)
    status, problems = problems_named(workdir)
    assert status == 1
    # WRONG for the cell and for Table 2; the figures were drawn from the file before
    assert {(link["status"], link["path"]) for link in problems} == {
        (verify.WRONG, paths.TABLE2_LONG), (verify.MODIFIED, paths.TABLE2_LONG)}
    assert {link["detail"] for link in problems if link["status"] == verify.WRONG} == {
        f"{paths.TABLE2_LONG} line {long_rows.index(german) + 2} (mnli, pawsx, de, accuracy, "
        f"1), column value: '88.0000' on disk, '{german['value']}' built again from its "
        "inputs"}
    restore()

    for table, number in (("results/table3.csv", 2), ("results/table1.csv", 1),
                          ("results/paper_comparison.csv", 1)):
        row = (workdir / table).read_text().splitlines()[number]
        digit = next(char for char in row if char.isdigit())
        forge_csv(workdir, table, row, row.replace(digit, str((int(digit) + 1) % 10), 1))
        status, problems = problems_named(workdir)
        # WRONG for the cell; MODIFIED as an input of the report's page drawn from it before
        assert status == 1 and {(link["status"], link["path"]) for link in problems} == {
            (verify.WRONG, table), (verify.MODIFIED, table)}, table
        [wrong] = [link for link in problems if link["status"] == verify.WRONG]
        assert f"{table} line {number + 1} (" in wrong["detail"]
        restore()

    figure = workdir / paths.figure("average_improvement", "svg")
    figure.write_text(figure.read_text().replace("<svg", "<svg data-forged='1'", 1))
    assert [(link["status"], link["path"]) for link in problems_named(workdir)[1]] == [
        (verify.MODIFIED, str(figure.relative_to(workdir)))]
    restore()

    # a score edited with its content hash, and the tables rebuilt from it: consistent
    # hashes everywhere, but the score is not what its predictions give
    score = workdir / "results/scores/mnli/pawsx/seed1.json"
    forge_json(score, lambda content: content["languages"]["de"].update(accuracy=99.0))
    # the workflow rebuilds the tables from it, and its last job, the audit, fails on it
    rebuilt = snakemake(workdir, "--cores", "2", *DEMO, check=False)
    assert rebuilt.returncode != 0 and "languages.de.accuracy is 99.0 on disk" in rebuilt.stderr
    assert not (workdir / paths.AUDIT_DIGEST).exists()
    status, problems = problems_named(workdir)
    assert status == 1
    [wrong] = {link["detail"]: link for link in problems if link["role"] == "scores"}.values()
    assert wrong["status"] == verify.WRONG
    assert "languages.de.accuracy is 99.0 on disk" in wrong["detail"]

    # the whole chain rewritten consistently (predictions, scores, tables, records): only
    # the digest published before tells, and it names the part and the file
    predictions = workdir / "results/predictions/mnli/pawsx/seed1.json"
    flipped = {"paraphrase": "not_paraphrase", "not_paraphrase": "paraphrase"}
    forge_json(predictions, lambda content: content["predictions"]["de"].update(
        {key: flipped[label] for key, label in list(content["predictions"]["de"].items())[:5]}))
    score.unlink()
    snakemake(workdir, "--cores", "2", *DEMO)
    assert problems_named(workdir)[1] == []
    assert json.loads((workdir / paths.AUDIT_DIGEST).read_text())["root"] != published["root"]
    rewritten = audit_command(workdir, "--all", "--expect", str(tmp_path / "digest.json"))
    assert rewritten.returncode == 1
    assert "part 'predictions' changed" in rewritten.stdout
    assert "  results/predictions/mnli/pawsx/seed1.json: changed" in rewritten.stdout
    assert audit_command(workdir, "--all", "--expect", published["root"]).returncode == 1



@pytest.mark.workflow
def test_demo_deep_check_repredicts_and_finds_a_swapped_checkpoint(demo_run, tmp_path):
    workdir = tmp_path / "demo"
    shutil.copytree(demo_run, workdir, symlinks=True)
    args = ("--intermediate", "mnli", "--target", "pawsx", "--deep", "20")
    shown = audit_command(workdir, *args)
    assert shown.returncode == 0, shown.stdout[-3000:]
    [deep] = [line for line in shown.stdout.splitlines() if " deep " in line]
    assert deep.split()[:3] == [verify.OK, "deep", "models/target/mnli/pawsx/seed1"]
    assert "en 100% (20/20), de 100% (20/20), fr 100% (20/20), zh 100% (20/20)" in deep
    # weights of the same shape that predict otherwise (on the demo, the squad_v1 row's)
    shutil.copy(workdir / "models/target/squad_v1/pawsx/seed1/model.safetensors",
                workdir / "models/target/mnli/pawsx/seed1/model.safetensors")
    swapped = audit_command(workdir, *args)
    assert swapped.returncode == 1
    [deep] = [line for line in swapped.stdout.splitlines() if " deep " in line]
    assert deep.split()[0] == verify.WRONG
    assert "results/predictions/mnli/pawsx/seed1.json was not predicted by this checkpoint" in deep

