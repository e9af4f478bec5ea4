"""What a record says about the code and the environment that made it
(xstilts.store.provenance.code_version, package_versions)."""

import json
import subprocess
import sys
from pathlib import Path

from workflow import ROOT, copy_workflow

from xstilts.store import provenance


def git(directory: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
                          cwd=directory, check=True, capture_output=True, text=True).stdout


def record_of_a_job(workflow: Path) -> dict:
    """The code part of a record written by an entry point of `workflow`, run as the rules
    run it (`python scripts/<job>.py` in the workflow directory)."""
    script = workflow / "scripts" / "record_code.py"
    script.write_text("import json\nfrom xstilts.store import provenance\n"
                      "print(json.dumps(provenance.code_version()))\n")
    shown = subprocess.run([sys.executable, "scripts/record_code.py"], cwd=workflow,
                           check=True, capture_output=True, text=True)
    return json.loads(shown.stdout)


def test_a_workflow_copy_edited_apart_from_the_imported_package_is_named(tmp_path):
    workflow = copy_workflow(tmp_path)
    git(workflow, "init", "-q")
    git(workflow, "add", ".")
    git(workflow, "commit", "-qm", "clone")
    code = record_of_a_job(workflow)
    assert code["workflow"]["path"] == str(workflow.resolve())
    assert code["package"]["path"] == str(ROOT)  # the editable install's checkout
    assert code["commit"] == git(workflow, "rev-parse", "HEAD").strip()
    assert code["dirty"] and code["problem"]  # the package is not from this clone
    assert str(ROOT) in code["problem"]
    assert {"script:record_code.py", "workflow:Snakefile", "workflow:rules/common.smk",
            "package:xstilts/store/provenance.py"} <= set(code["files"])

    score = workflow / "scripts" / "score.py"
    score.write_text(score.read_text() + "\n# edited in the clone\n")
    edited = record_of_a_job(workflow)
    assert edited["problem"] == (f"the workflow checkout {workflow.resolve()} has "
                                 "uncommitted changes")
    assert edited["workflow"]["dirty"] is True


def test_code_problem_names_each_reason():
    clean = {"path": "/a", "commit": "1" * 40, "dirty": False}
    assert provenance.code_problem({"workflow": clean, "package": clean}) is None
    assert provenance.code_problem({"workflow": {**clean, "commit": None}, "package": clean}) == (
        "the workflow directory /a is not a git checkout")
    other = {"path": "/b", "commit": "2" * 40, "dirty": False}
    assert provenance.code_problem({"workflow": clean, "package": other}) == (
        "the package was imported from /b at commit 222222222222, the workflow ran from /a "
        "at 111111111111")


def test_records_hold_every_installed_distribution_and_their_digest():
    record = provenance.record("scores", params={}, inputs={}, outputs={}, started="t0")
    assert {"numpy", "pyarrow", "huggingface-hub", "tokenizers", "torch"} <= set(
        record["packages"])
    assert record["packages_digest"] == provenance.packages_digest(record["packages"])
    changed = {**record["packages"], "numpy": "0.0"}
    assert provenance.packages_digest(changed) != record["packages_digest"]
