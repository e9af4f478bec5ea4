"""Provenance records: what produced a checkpoint, a prediction file or a score."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

PACKAGES = ("torch", "transformers", "datasets", "tokenizers", "accelerate", "safetensors",
            "seqeval", "snakemake")
RECORD = "provenance.json"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def hash_tree(directory: Path) -> dict[str, str]:
    """sha256 of every file below `directory`, provenance records excluded."""
    directory = Path(directory)
    return {
        str(path.relative_to(directory)): sha256_file(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != RECORD
    }


def code_version() -> dict:
    root = Path(__file__).resolve().parent.parent

    def git(*args):
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status) if status is not None else None}


def package_versions() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


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
    """A provenance record; `inputs`/`outputs` map roles to {path: sha256} dictionaries."""
    return {
        "kind": kind,
        "params": params,
        "inputs": inputs,
        "outputs": outputs,
        "code": code_version(),
        "packages": package_versions(),
        "environment": environment(),
        "started": started,
        "finished": now(),
        **(extra or {}),
    }


def write_json_atomic(path: Path, data) -> None:
    """Write JSON under a temporary name and rename it, so a file that exists is complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    partial.replace(path)
