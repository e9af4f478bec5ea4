"""Hub branches resolved to commits on first download, locked, and pinned into the
configuration (xstilts.store.revisions), offline: the hub client is a fake."""

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import huggingface_hub
import pytest
import yaml

from xstilts.store import revisions

REPO = Path(__file__).resolve().parents[3]
FIRST, LATER = "a1" * 20, "b2" * 20


@pytest.fixture
def hub(monkeypatch):
    """A fake hub whose branch `main` points to `hub.commit`; `hub.asked` counts lookups."""
    state = SimpleNamespace(commit=FIRST, asked=[])

    class FakeApi:
        def dataset_info(self, repository, revision=None):
            state.asked.append(("dataset", repository, revision))
            return SimpleNamespace(sha=state.commit)

        def model_info(self, repository, revision=None):
            state.asked.append(("model", repository, revision))
            return SimpleNamespace(sha=state.commit)

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeApi)
    return state


def test_a_branch_is_resolved_once_and_locked(tmp_path, hub):
    lock = tmp_path / "config/revisions.lock.yaml"
    assert revisions.locked_revision("dataset", "google/xtreme", "main", lock) == FIRST
    hub.commit = LATER  # the dataset's owner pushes a fix: the grid keeps its commit
    assert revisions.locked_revision("dataset", "google/xtreme", "main", lock) == FIRST
    assert revisions.locked_revision("model", "FacebookAI/xlm-roberta-large", "main",
                                     lock) == LATER
    assert hub.asked == [("dataset", "google/xtreme", "main"),
                         ("model", "FacebookAI/xlm-roberta-large", "main")]
    assert yaml.safe_load(lock.read_text()) == {
        "datasets": {"google/xtreme": {"main": FIRST}},
        "models": {"FacebookAI/xlm-roberta-large": {"main": LATER}}}
    # a commit is used as it is, never looked up
    assert revisions.locked_revision("dataset", "x/y", LATER, lock) == LATER
    assert len(hub.asked) == 2


def test_a_damaged_lock_file_is_named(tmp_path):
    lock = tmp_path / "revisions.lock.yaml"
    lock.write_text("datasets:\n  google/xtreme:\n    main: not-a-commit\n")
    with pytest.raises(ValueError, match="datasets.google/xtreme.main is 'not-a-commit'"):
        revisions.read_lock(lock)


def test_the_prepared_manifest_holds_requested_and_resolved(tmp_path, hub, monkeypatch):
    from specs import dataset_spec

    from xstilts.store.prepared import write_prepared

    monkeypatch.chdir(tmp_path)
    spec = dataset_spec({"source": "hub", "path": "google/xtreme", "revision": "main",
                         "schema": "xtreme_pawsx", "name": "PAWS-X.{lang}",
                         "languages": ["en"]})
    resolved = revisions.locked_revision("dataset", spec.path, spec.revision)
    from datasets import Dataset, DatasetDict

    rows = {"id": ["1"], "sentence1": ["a"], "sentence2": ["b"], "label": [1]}
    manifest = write_prepared("pawsx", spec, {"en": DatasetDict({"validation": Dataset.from_dict(
        rows)})}, tmp_path / "pawsx", resolved)
    assert (manifest["source"]["revision"], manifest["source"]["resolved"]) == ("main", FIRST)


def test_the_pin_command_writes_the_locked_commits_into_the_configuration(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text((REPO / "config/config.yaml").read_text())
    original = yaml.safe_load(config.read_text())
    branches = {name for name, entry in original["datasets"].items()
                if entry.get("source") == "hub" and entry.get("revision") == "main"}
    assert branches  # the paper configuration still names branches
    xtreme = {name for name in branches if original["datasets"][name]["path"] == "google/xtreme"}
    lock = tmp_path / "revisions.lock.yaml"
    lock.write_text(yaml.safe_dump({"datasets": {"google/xtreme": {"main": FIRST}}}))
    shown = subprocess.run([sys.executable, "scripts/pin_revisions.py", "--config", str(config),
                            "--lock", str(lock)], cwd=REPO, capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    pinned = yaml.safe_load(config.read_text())
    assert {name for name in branches if pinned["datasets"][name]["revision"] == FIRST} == xtreme
    assert all(pinned["datasets"][name]["revision"] == "main" for name in branches - xtreme)
    assert {key: value for key, value in pinned.items() if key != "datasets"} == {
        key: value for key, value in original.items() if key != "datasets"}
    assert len(shown.stdout.splitlines()) == len(xtreme)
    assert "# main, pinned from config/revisions.lock.yaml" in config.read_text()


def test_offline_a_branch_the_lock_lacks_stays_unresolved(tmp_path, hub, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    lock = tmp_path / "revisions.lock.yaml"
    assert revisions.locked_revision("dataset", "google/xtreme", "main", lock) is None
    assert hub.asked == [] and not lock.exists()
