"""A model card (README.md) beside each trained checkpoint, written from its provenance
record: where it started, the data and their revisions, the hyperparameters, how the
checkpoint was selected, the files and the hash of the record the audit verifies.

The card is derived from the record alone, after it, so the record does not list it
(store.provenance.UNRECORDED); rewriting it from the record gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

from xstilts.spec import paths
from xstilts.store import atomic
from xstilts.store.provenance import RECORD, sha256_file


def model_card(record: dict, record_sha256: str) -> str:
    params, selection = record["params"], record.get("selection", {})
    init = record["inputs"]["init"]
    code = record.get("code", {})
    kind = params["kind"].removesuffix("s").replace("_", " ")  # target_tasks: target task
    title = f"{params['task']} ({kind}), seed {params.get('seed')}"
    lines = [
        "---", "library_name: transformers", f"tags: [xstilts, {params['format']}]", "---",
        f"# {title}", "",
        "Fine-tuned by xstilts, a reproduction of Phang et al. (AACL 2020), *English "
        "Intermediate-Task Training Improves Zero-Shot Cross-Lingual Transfer Too*. "
        f"Everything below comes from `{RECORD}` in this directory.", "",
        "## Training", "",
        f"- started from: `{init['path']}` (its record's sha256 "
        f"`{init.get('record_sha256', 'none: a base model without record')}`)",
        f"- format: {params['format']}; epochs {params.get('epochs')}, batch size "
        f"{params.get('batch_size')}, max length {params.get('max_length')}, seed "
        f"{params.get('seed')}",
        f"- device: {record.get('device')} (bf16: {record.get('bf16')}), "
        f"{record.get('wall_seconds')} s",
        f"- code: commit `{code.get('commit')}`" + (" (uncommitted changes)"
                                                     if code.get("dirty") else ""),
        "", "| data | source | revision | rows read |", "|---|---|---|---|",
        *[f"| {name} | {ref.get('source', '')} | `{ref.get('revision', '')}` | "
          f"{rows_read(record, name)} |" for name, ref in record["inputs"]["data"].items()],
        "", "## Hyperparameters", "", "| name | value |", "|---|---|",
        *[f"| {name} | {value} |" for name, value in sorted(params["hparams"].items())],
        "", "## Checkpoint selection", "",
        f"- on: {selection.get('metric')}",
        f"- selected step: {selection.get('best_step')} of {selection.get('steps_trained')} "
        f"trained; dev score there: {selection.get('best_metric')}",
        f"- evaluations: {len(selection.get('evaluations', []))} (all of them, and the loss "
        f"curve, in `{paths.LOG_HISTORY}`)",
        "", "## Files", "", "| file | sha256 |", "|---|---|",
        *[f"| {name} | `{digest}` |"
          for name, digest in sorted(record["outputs"]["files"].items())],
        "", "## Audit", "",
        f"sha256 of `{RECORD}`: `{record_sha256}`. Every job that starts from this checkpoint "
        "checks its files against that record, and `python scripts/audit.py` walks any "
        "number built from it back to the base model.", "",
    ]
    return "\n".join(lines)


def rows_read(record: dict, dataset: str) -> str:
    sizes = [f"{name.split('/', 1)[1]} {size['rows']}"
             for name, size in record.get("examples", {}).items()
             if name.split("/", 1)[0] == dataset]
    return ", ".join(sizes)


def write_model_card(checkpoint: Path) -> None:
    record_path = Path(checkpoint) / RECORD
    record = json.loads(record_path.read_text())
    atomic.write_text(Path(checkpoint) / paths.MODEL_CARD,
                      model_card(record, sha256_file(record_path)))
