"""Provenance records: what produced a checkpoint, a prediction file or a score.

Every job that writes a checkpoint, predictions or scores writes a record beside its output
(`<checkpoint>/provenance.json`; the `provenance` key of a prediction or score file):

- `kind`: base_model, checkpoint, predictions or scores;
- `params`: the resolved parameters of the job (the task spec as the rule passed it; its
  `seed` is the run's seed);
- `inputs`: role -> reference. A parent checkpoint is named by its directory, the
  sha256 of its record and the sha256 of every file of it (`checkpoint_ref`), which a job
  recomputes and compares with the parent's own record before it loads the weights
  (`verified_checkpoint`); a parent file (the predictions a score was computed from) by
  path and sha256 (`file_ref`); a dataset by its manifest's path and sha256 plus the
  source and revision it was prepared from (`dataset_refs`); the manifest hashes each
  parquet file (and, for local sources, each release file it was read from);
- `outputs`: for checkpoints, `files`: {relative path: sha256}; for prediction and score
  files, `content_sha256`: the sha256 of the file's content without its provenance
  (`content_sha256`), so that a hand edit of the file, and everything rebuilt from it,
  no longer matches the record of the job that wrote it;
- `code`: the path, commit and dirty state of the workflow checkout (the Snakefile's) and
  of the checkout the package was imported from, `files` and `digest` of the code loaded
  (package modules, entry point, Snakefile, rules), and `problem`: why that code is not one
  clean commit (None when it is; `dirty` is then false);
- `packages`: every installed distribution and its version, `packages_digest` one digest of
  them; `environment` (host, python, SLURM job id, CUDA_VISIBLE_DEVICES),
  `started`/`finished` (UTC);
- jobs that run a model add `device` (GPU name, or "cpu"); training adds `selection`
  (metric, best step and score, every evaluation) and `encoder_transfer`.

A score file's record id is the first RECORD_ID_LENGTH hex digits of the sha256 of its
results without the provenance block (`record_id`), so reruns with the same results give
byte-identical tables: Table 2's long form names the score file behind each value, and
`results/table2_records.csv` those behind each cell of Table 2.

Paths are as the job was given them (relative to the workflow directory). `xstilts.audit.verify`
walks these references back to the base model and re-hashes what they name.

Records are deterministic except for fields that legitimately differ between two runs of
the same job: `started`, `finished`, `environment` (host, SLURM job id, visible devices),
`device` (which GPU), `code` and `packages` where the software differs, and, on GPUs
(non-deterministic kernels), the checkpoint's file hashes, selection scores and
everything downstream of them. On CPU a rerun reproduces every hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from xstilts.spec import TaskSpec, paths
from xstilts.store import atomic

RECORD = "provenance.json"
MANIFEST = "manifest.json"  # a prepared dataset's record (xstilts.store.prepared)
# the spec keys that decide what a prediction file holds
PREDICTION_PARAMS = ("task", "eval", "test", "languages", "max_length", "precision", "seed")
RECORD_ID_LENGTH = 12  # like a short git hash: unique enough within one grid
# files in a checkpoint directory that its record does not list: the record itself, the
# model card written from it, and what Snakemake adds to a directory output after the job
# wrote its record
UNRECORDED = {RECORD, ".snakemake_timestamp", paths.MODEL_CARD}


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class ProvenanceError(ValueError):
    """A file differs from what the record of the job that wrote it says."""


def read_json(path: Path):
    """A JSON file the project reads; a truncated or corrupt one is named in the error."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise ValueError(f"{path}: not valid JSON ({error}); is the file truncated?") from None


def read_result(path: Path) -> dict:
    """A prediction or score file that another job wrote. Jobs write atomically, so an
    unreadable one was damaged afterwards: it is removed, so that the next run of the
    workflow writes it again, and the error names it."""
    try:
        return read_json(path)
    except ValueError as error:
        Path(path).unlink(missing_ok=True)
        raise ValueError(f"{error} Removed it: the next run of the workflow writes it "
                         "again.") from None


def record_id(path: Path) -> str | None:
    """The id Table 2 gives a score file (`result_id` of its content); None if the file is
    absent or not JSON."""
    try:
        return result_id(json.loads(Path(path).read_text()))
    except (OSError, ValueError):
        return None


def content_sha256(result: dict) -> str:
    """The sha256 of a result (predictions, scores) without its provenance, as canonical
    JSON: what the record of the job that wrote it holds in `outputs.content_sha256`."""
    content = {key: value for key, value in result.items() if key != "provenance"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(canonical).hexdigest()


def result_id(result: dict) -> str:
    """A prefix of `content_sha256`, so that two runs with the same results give the same
    tables; the provenance is verified link by link (xstilts.audit.verify)."""
    return content_sha256(result)[:RECORD_ID_LENGTH]


def write_result(path: Path, result: dict) -> None:
    """Write a result file whose `provenance` record gets the hash of the rest of it."""
    record = result["provenance"]
    record["outputs"] = {**record.get("outputs", {}), "content_sha256": content_sha256(result)}
    write_json_atomic(path, result)


def hash_tree(directory: Path) -> dict[str, str]:
    """sha256 of every file below `directory`, provenance records excluded."""
    directory = Path(directory)
    return {
        str(path.relative_to(directory)): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name not in UNRECORDED
    }


# keys of a dataset or model entry that only a hub source uses
HUB_KEYS = ("revision", "name", "configs")


def source_record(entry: dict) -> dict:
    """What a dataset or model was read from: for a hub source its repository and pinned
    revision; for a local one (release files, a model directory) its path and the sha256 of
    every file there, never the hub revision the paper configuration also names."""
    if entry.get("source") != "local":
        return entry
    local = {key: value for key, value in entry.items() if key not in HUB_KEYS}
    return {**local, "files": hash_tree(entry["path"])}


def local_files(entry: dict) -> list[str]:
    """The files of a local source, for a job to declare as inputs (so that editing one
    reruns it); none for other sources or a missing optional directory."""
    if entry.get("source") != "local" or not Path(entry["path"]).is_dir():
        return []
    return sorted(str(path) for path in Path(entry["path"]).rglob("*") if path.is_file())


def file_ref(path: Path) -> dict:
    """A parent file, by path and content hash."""
    return {"path": str(path), "sha256": sha256_file(path)}


def checkpoint_ref(checkpoint_dir: Path) -> dict:
    """A parent checkpoint, by its directory, the hash of its record (None without one) and
    the hashes of its files as its record lists them."""
    path = Path(checkpoint_dir) / RECORD
    if not path.exists():
        return {"path": str(checkpoint_dir), "record": str(path), "record_sha256": None}
    files = read_json(path).get("outputs", {}).get("files", {})
    return {"path": str(checkpoint_dir), "record": str(path),
            "record_sha256": sha256_file(path), "files": files}


def verified_checkpoint(checkpoint_dir: Path) -> dict:
    """`checkpoint_ref` of a checkpoint a job is about to load, after hashing each of its
    files (once per job) and comparing with its record: corrupt or hand-edited weights
    stop the job before any compute is spent on them."""
    checkpoint_dir = Path(checkpoint_dir)
    if not (checkpoint_dir / RECORD).exists():
        raise ProvenanceError(f"{checkpoint_dir / RECORD}: missing; the checkpoint has no "
                              "record of how it was made, rebuild it")
    ref = checkpoint_ref(checkpoint_dir)
    actual = hash_tree(checkpoint_dir)
    for name in sorted(set(ref["files"]) | set(actual)):
        if ref["files"].get(name) != actual.get(name):
            problem = ("not on disk" if name not in actual else "not listed in its record"
                       if name not in ref["files"] else "content differs from its record")
            raise ProvenanceError(f"{checkpoint_dir / name}: {problem} "
                                  f"({checkpoint_dir / RECORD}); rebuild the checkpoint")
    return ref


def manifest_ref(dataset_dir: Path) -> dict:
    """A prepared dataset, by its manifest (which hashes every file) and source revision."""
    path = Path(dataset_dir) / MANIFEST
    source = read_json(path).get("source", {})
    return {**file_ref(path), "source": source.get("source"),
            "revision": source.get("revision"),
            **({"resolved": source["resolved"]} if source.get("resolved") else {})}


def dataset_refs(data_root: Path, names) -> dict:
    """{dataset name: manifest_ref} of the prepared datasets a job read."""
    return {name: manifest_ref(Path(data_root) / name) for name in dict.fromkeys(names)}


def evaluated_datasets(spec: TaskSpec) -> list[str]:
    """Names of the datasets predicting or scoring a target task reads (eval, test)."""
    return [ref.dataset for ref in (spec.eval, spec.test) if ref is not None]


def selected(spec: TaskSpec, keys: tuple[str, ...]) -> dict:
    """The spec's plain values of `keys`, leaving out unset ones (a retrieval spec's seed)."""
    plain = spec.to_dict()
    return {key: plain[key] for key in keys if plain.get(key) is not None}


def git_state(directory: Path) -> dict:
    """{path, commit, dirty} of the git checkout holding `directory` (commit and dirty None
    where it is not one)."""

    def git(*args):
        try:
            result = subprocess.run(["git", *args], cwd=directory, capture_output=True,
                                    text=True)
        except OSError:
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    status = git("status", "--porcelain", "--untracked-files=no") if top else None
    return {"path": top or str(directory), "commit": git("rev-parse", "HEAD") if top else None,
            "dirty": bool(status) if status is not None else None}


def workflow_directory() -> Path:
    """The workflow checkout that ran the job: the directory holding the Snakefile above
    the entry point (`python scripts/<job>.py`), else the working directory."""
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if script and script.suffix == ".py" and (script.parent.parent / "Snakefile").is_file():
        return script.parent.parent
    return Path.cwd().resolve()


def loaded_code(workflow: Path) -> dict[str, str]:
    """{file: sha256} of the code this process ran: the package's modules it imported, the
    entry point, the Snakefile and the rules of the workflow checkout."""
    from xstilts.runtime.checkout import ROOT

    files = {}
    for module in list(sys.modules.values()):
        path, name = getattr(module, "__file__", None), getattr(module, "__name__", None)
        if path and isinstance(name, str) and name.split(".")[0] == "xstilts":
            files[f"package:{Path(path).resolve().relative_to(ROOT)}"] = Path(path)
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if script and script.is_file() and script.suffix == ".py":
        files[f"script:{script.name}"] = script
    for path in [workflow / "Snakefile", *sorted((workflow / "rules").glob("*.smk"))]:
        if path.is_file():
            files[f"workflow:{path.relative_to(workflow)}"] = path
    return {name: sha256_file(path) for name, path in sorted(files.items())}


def code_version() -> dict:
    """The code that ran: the git state of the workflow checkout (the Snakefile's) and of
    the checkout the package was imported from, a digest of the files loaded, and
    `problem`: why the commit alone does not name this code (None when it does)."""
    from xstilts.runtime.checkout import ROOT

    workflow = workflow_directory()
    states = {"workflow": git_state(workflow), "package": git_state(ROOT)}
    files = loaded_code(workflow)
    return {"commit": states["workflow"]["commit"], "dirty": code_problem(states) is not None,
            **states, "digest": digest_lines(f"{name} {sha}" for name, sha in files.items()),
            "files": files, "problem": code_problem(states)}


def code_problem(states: dict) -> str | None:
    """Why the code of a record is not one clean commit: a checkout that is no git checkout
    or has uncommitted changes, or a package imported from another checkout at another
    commit than the workflow's."""
    for role, state in states.items():
        if state["commit"] is None:
            return f"the {role} directory {state['path']} is not a git checkout"
        if state["dirty"]:
            return f"the {role} checkout {state['path']} has uncommitted changes"
    workflow, package = states["workflow"], states["package"]
    if workflow["commit"] != package["commit"]:
        return (f"the package was imported from {package['path']} at commit "
                f"{package['commit'][:RECORD_ID_LENGTH]}, the workflow ran from "
                f"{workflow['path']} at {workflow['commit'][:RECORD_ID_LENGTH]}")
    return None


def digest_lines(lines) -> str:
    """The sha256 of sorted text lines: an order-free digest of a listing."""
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


@functools.cache
def package_versions() -> dict:
    """{distribution: version} of every installed distribution (names normalised), read
    once per process."""
    versions = {}
    for distribution in metadata.distributions():
        name = distribution.metadata["Name"]
        if name:
            versions[name.lower().replace("_", "-")] = distribution.version
    return dict(sorted(versions.items()))


def packages_digest(versions: dict) -> str:
    """One digest of an environment's distributions, to tell environments apart."""
    return digest_lines(f"{name}=={version}" for name, version in versions.items())


def environment() -> dict:
    return {
        "host": platform.node(),
        "python": platform.python_version(),
        "slurm_job_id": os.environ.get("SLURM_JOB_ID"),
        "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
    }


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def record(kind: str, *, params: dict, inputs: dict, outputs: dict, started: str,
           extra: dict | None = None) -> dict:
    """A provenance record; `inputs` maps roles to references (file_ref, checkpoint_ref,
    dataset_refs), `outputs` roles to {path: sha256} dictionaries."""
    return {
        "kind": kind,
        "params": params,
        "inputs": inputs,
        "outputs": outputs,
        "code": code_version(),
        "packages": (versions := dict(package_versions())),
        "packages_digest": packages_digest(versions),
        "environment": environment(),
        "started": started,
        "finished": now(),
        **(extra or {}),
    }


def predictions_record(spec: TaskSpec, checkpoint_dir: Path, data_root: Path, started: str, *,
                       params: dict | None = None, extra: dict | None = None) -> dict:
    """The record of a prediction file: the checkpoint that predicted, the data it read
    (`write_result` adds the hash of the predictions)."""
    return record(
        "predictions", params={**selected(spec, PREDICTION_PARAMS), **(params or {})},
        inputs={"checkpoint": checkpoint_ref(checkpoint_dir),
                "data": dataset_refs(data_root, evaluated_datasets(spec))},
        outputs={}, started=started, extra=extra)


def scores_record(spec: TaskSpec, predictions: Path, data_root: Path, started: str, *,
                  extra: dict | None = None) -> dict:
    """The record of a score file: the spec it was scored with (the audit scores again from
    it), the predictions scored, the gold data read (`write_result` adds the hash of the
    scores)."""
    return record(
        "scores", params=spec.to_dict(),
        inputs={"predictions": file_ref(predictions),
                "data": dataset_refs(data_root, evaluated_datasets(spec))},
        outputs={}, started=started, extra=extra)


def record_checkpoint(directory: Path, kind: str, params: dict, inputs: dict,
                      started: str, extra: dict | None = None) -> dict:
    """Write the record of a checkpoint just saved at `directory`, hashing its files."""
    result = record(kind, params=params, inputs=inputs,
                    outputs={"files": hash_tree(directory)}, started=started, extra=extra)
    write_json_atomic(Path(directory) / RECORD, result)
    return result


def output_record(kind: str, *, params: dict, inputs: dict[str, list], outputs: dict[str, list],
                  started: str) -> dict:
    """The record of a published output (a table, a figure): the files it was built from
    and the files written, both {role: [paths]}, each file with its sha256; `params` holds
    what else its builder was given, so that the audit can build it again."""
    return record(
        kind, params=params,
        inputs={role: {str(path): sha256_file(path) for path in files}
                for role, files in inputs.items()},
        outputs={"files": {str(path): sha256_file(path) for files in outputs.values()
                           for path in files},
                 "roles": {role: [str(path) for path in files] for role, files in outputs.items()}},
        started=started,
        # records are written with sorted keys: the order the builder read its inputs in
        extra={"input_order": {role: [str(path) for path in files]
                               for role, files in inputs.items()}})


def write_output_record(path: Path, kind: str, *, params: dict, inputs: dict[str, list],
                        outputs: dict[str, list], started: str) -> dict:
    """Write `output_record` to `path` (paths.provenance_of the output) after the outputs."""
    result = output_record(kind, params=params, inputs=inputs, outputs=outputs, started=started)
    write_json_atomic(Path(path), result)
    return result


def write_json_atomic(path: Path, data) -> None:
    """Write JSON under a temporary name and rename it, so a file that exists is complete."""
    atomic.write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
