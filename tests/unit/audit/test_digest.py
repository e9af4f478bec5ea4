"""The root digest of a grid: the same for the same results whatever their records and file
times, another for any changed number, and the part and file that changed named."""

import json
import os
import shutil

from xstilts.audit.digest import chain_digest, changes, expected_digest
from xstilts.spec import paths

FILES = {
    "data/prepared/xnli/manifest.json": {"files": {"en/validation": {"rows": 2}},
                                         "source": {"source": "local", "path": "/mnt/a"}},
    "models/base/model.safetensors": b"weights",
    "results/scores/mnli/xnli/seed1.json": {"languages": {"en": {"accuracy": 50.0}},
                                            "provenance": {"host": "node1"}},
    "results/table2.csv": b"intermediate,xnli\nmnli,50.00\n",
    "results/figures/average_improvement.png": b"png",
    "results/table2.provenance.json": {"host": "node1"},
    "logs/table2.log": b"written at 10:00",
}


def build(root):
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())


def test_records_logs_local_paths_and_times_leave_the_digest_alone(tmp_path):
    build(tmp_path / "a")
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    for name, content in [
            ("results/scores/mnli/xnli/seed1.json",
             {"languages": {"en": {"accuracy": 50.0}}, "provenance": {"host": "node2"}}),
            ("results/table2.provenance.json", {"host": "node2"}),
            ("data/prepared/xnli/manifest.json",
             {"files": {"en/validation": {"rows": 2}},
              "source": {"source": "local", "path": "/scratch/b"}})]:
        (tmp_path / "b" / name).write_text(json.dumps(content))
    (tmp_path / "b/logs/table2.log").write_text("written at 11:00")
    os.utime(tmp_path / "b/results/table2.csv", (0, 0))
    first, second = chain_digest(tmp_path / "a"), chain_digest(tmp_path / "b")
    assert first == second and len(first.root) == 64
    assert set(first.files["tables"]) == {"results/table2.csv"}  # no record, no log
    assert changes({"root": first.root}, second) == []


def test_a_changed_number_changes_the_root_and_names_its_part_and_file(tmp_path):
    build(tmp_path)
    before = chain_digest(tmp_path).as_json()
    (tmp_path / "results/table2.csv").write_text("intermediate,xnli\nmnli,80.00\n")
    after = chain_digest(tmp_path)
    assert after.root != before["root"]
    assert changes(before, after)[1:] == ["part 'tables' changed",
                                          "  results/table2.csv: changed"]
    assert "give --expect the digest file" in changes({"root": before["root"]}, after)[-1]
    assert expected_digest(before["root"].upper()) == {"root": before["root"]}


def test_the_audit_output_holding_the_digest_stays_out_of_it(tmp_path):
    build(tmp_path)
    before = chain_digest(tmp_path)
    for path in (paths.AUDIT_DIGEST, paths.AUDIT_PAGE):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(before.root)
    assert chain_digest(tmp_path) == before


def test_a_grid_below_a_hidden_directory_is_counted_in_full(tmp_path):
    # hidden and in-progress names are looked for below the workflow directory only
    root = tmp_path / ".cache" / "grid.work" / "demo"
    build(root)
    build(tmp_path / "plain")
    assert chain_digest(root) == chain_digest(tmp_path / "plain")
    assert set(chain_digest(root).files["tables"]) == {"results/table2.csv"}
