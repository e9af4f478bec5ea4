"""Published tables are built by one builder per kind, which the job runs and writes with
its record, and which the audit runs again from the record's params and inputs."""

import json

from xstilts.metrics import bootstrap
from xstilts.report.outputs import BUILDERS, publish
from xstilts.store.provenance import read_json, sha256_file

LAYOUT = {"rows": ["baseline", "mnli"], "targets": ["xnli"], "seeds": [1],
          "categories": {"xnli": "classification"}, "unavailable": {}, "subsampled": ""}
BOOTSTRAP = {"resamples": 50, "seed": 0, "confidence": 0.95}


def score_file(path, flags):
    """A score file of one language: accuracy and its per-example material."""
    accuracy = 100.0 * sum(flags) / len(flags)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "task": "xnli", "metric": "accuracy", "score": accuracy,
        "languages": {"en": {"accuracy": accuracy, "count": len(flags)}},
        "examples": {"en": bootstrap.material(bootstrap.MEAN, list("abcd"),
                                              {"accuracy": flags})},
        "provenance": {"id": path.parent.parent.name}}))
    return str(path)


def test_the_grid_builder_writes_table2_and_the_record_names_what_it_read(tmp_path):
    scores = [score_file(tmp_path / "scores/baseline/xnli/seed1.json", [1, 0, 1, 0]),
              score_file(tmp_path / "scores/mnli/xnli/seed1.json", [1, 1, 1, 0])]
    outputs = {role: str(tmp_path / f"{role}.csv") for role in ("table", "long", "ci", "records")}
    params = {"layout": LAYOUT, "bootstrap": BOOTSTRAP}
    publish("table", params=params, inputs={"scores": scores}, outputs=outputs,
            record=str(tmp_path / "table.provenance.json"))
    table = (tmp_path / "table.csv").read_text().splitlines()
    assert table[1].startswith("baseline,50.00") and table[2].startswith("mnli,75.00")
    # built again from the same params and inputs: the same text, as the audit compares
    again = BUILDERS["table"](params, {"scores": scores})
    assert all(again[role] == (tmp_path / f"{role}.csv").read_text() for role in outputs)
    record = read_json(tmp_path / "table.provenance.json")
    assert record["params"] == params
    assert json.dumps(record).count(sha256_file(tmp_path / "table.csv")) == 1
