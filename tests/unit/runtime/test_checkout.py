"""The workflow's own files, copied to run it in a scratch directory."""

from xstilts.runtime.checkout import ROOT, WORKFLOW_FILES, copy_workflow


def test_the_copy_holds_the_workflow_and_nothing_it_made(tmp_path):
    copied = copy_workflow(tmp_path)
    assert copied == tmp_path
    assert {path.name for path in tmp_path.iterdir()} == set(WORKFLOW_FILES)
    assert (tmp_path / "Snakefile").read_bytes() == (ROOT / "Snakefile").read_bytes()
    assert not list(tmp_path.rglob("__pycache__"))
    assert not (tmp_path / "results").exists() and not (tmp_path / "models").exists()
