"""One root digest over the whole chain of a finished grid, to publish with the results.

The chain's parts are the prepared data, the base model, the intermediate and target
checkpoints, the predictions, the scores, the tables and the figures. A part's digest is
the sha256 of its sorted `path sha256` lines; the root digest that of the sorted `part
digest` lines. Only what the results are made of enters it: provenance records (times,
hosts, package versions), logs and Snakemake's own files stay out, and a prediction or
score file counts by its content without its record (xstilts.store.provenance
.content_sha256). So two builds of the same grid on two machines (CPU: every checkpoint
byte-identical) give the same digest, and any changed number, weight or prepared row gives
another. A rewrite of the whole chain, records included, is consistent in itself; only a
digest published elsewhere (a commit message, a paper's appendix) tells it apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xstilts.spec import paths
from xstilts.store.provenance import (
    MANIFEST,
    UNRECORDED,
    content_sha256,
    digest_lines,
    read_json,
    sha256_file,
)


def directory_of(pattern: str) -> str:
    """The fixed directory a path pattern's files lie below."""
    return pattern.split("{")[0].rstrip("/")


# (part, directory), the first directory containing a file names its part
PARTS = (
    ("data", directory_of(paths.PREPARED)),
    ("base model", paths.BASE_MODEL),
    ("intermediate checkpoints", directory_of(paths.INTERMEDIATE_MODEL)),
    ("target checkpoints", directory_of(paths.TARGET_MODEL)),
    ("predictions", directory_of(paths.PREDICTIONS)),
    ("scores", directory_of(paths.SCORES)),
    ("figures", paths.FIGURES),
    ("tables", paths.RESULTS),
)
JSON_RESULTS = ("predictions", "scores")  # hashed without their provenance


@dataclass(frozen=True)
class Digest:
    root: str
    parts: dict[str, str]  # part: digest
    files: dict[str, dict[str, str]]  # part: {path: sha256}

    def as_json(self) -> dict:
        return {"root": self.root, "parts": self.parts, "files": self.files}


def chain_digest(root: Path, hash_file: Callable[[Path], str] = sha256_file,
                 hash_content: Callable[[Path], str] | None = None) -> Digest:
    """The digest of the grid below `root` (a workflow directory); `hash_file` and
    `hash_content` (of a result without its record) may be an audit's caches, so that no
    file is read twice."""
    hash_content = hash_content or (lambda path: content_sha256(read_json(path)))
    root = Path(root)
    files: dict[str, dict[str, str]] = {part: {} for part, _ in PARTS}
    for part, directory in PARTS:
        for path in sorted((root / directory).rglob("*")):
            name = str(path.relative_to(root))
            if not counted(root, path) or any(name in listed for listed in files.values()):
                continue
            files[part][name] = (hash_content(path) if part in JSON_RESULTS
                                 else manifest_sha256(path) if path.name == MANIFEST
                                 else hash_file(path))
    parts = {part: digest_lines(f"{name} {sha}" for name, sha in listed.items())
             for part, listed in files.items()}
    return Digest(digest_lines(f"{part} {sha}" for part, sha in parts.items()), parts, files)


def manifest_sha256(path: Path) -> str:
    """A prepared dataset's manifest (labels, row counts, file hashes, source) without the
    place its local release files were read from, which differs between machines."""
    manifest = read_json(path)
    source = {key: value for key, value in manifest.get("source", {}).items()
              if not (key == "path" and manifest["source"].get("source") == "local")}
    return content_sha256({**manifest, "source": source})


def counted(root: Path, path: Path) -> bool:
    """A result file below the workflow directory `root`: not a record, a log, work in
    progress, a file Snakemake adds, or the audit's own output (which holds this digest)."""
    if not path.is_file() or path.name in UNRECORDED or path.name.endswith(paths.RECORD_SUFFIX):
        return False
    name = path.relative_to(root)
    return not name.is_relative_to(paths.AUDIT) and not any(
        part.endswith(paths.IN_PROGRESS) or part.startswith(".") for part in name.parts)


def expected_digest(value: str) -> dict:
    """What `--expect` was given: a root digest (hex) or a digest file (`--digest-out`)."""
    if Path(value).is_file():
        return read_json(Path(value))
    if len(value) != 64 or any(char not in "0123456789abcdef" for char in value.lower()):
        raise ValueError(f"--expect {value!r}: neither a root digest (64 hex digits) nor a "
                         "digest file")
    return {"root": value.lower()}


def changes(expected: dict, actual: Digest) -> list[str]:
    """What differs from an expected digest: the root, each part, each file (as far as the
    expectation lists them); empty when the root is the expected one."""
    if expected.get("root") == actual.root:
        return []
    lines = [f"root digest {actual.root} differs from the expected {expected.get('root')}"]
    for part, sha in expected.get("parts", {}).items():
        if actual.parts.get(part) != sha:
            lines.append(f"part {part!r} changed")
            before, now = expected.get("files", {}).get(part, {}), actual.files.get(part, {})
            lines += [f"  {name}: " + ("added" if name not in before else "removed"
                                       if name not in now else "changed")
                      for name in sorted(set(before) | set(now))
                      if before.get(name) != now.get(name)]
    if "parts" not in expected:
        lines.append("(give --expect the digest file written by --digest-out to see which "
                     "part changed)")
    return lines


def write_digest(path: Path, digest: Digest) -> None:
    from xstilts.store.provenance import write_json_atomic

    write_json_atomic(Path(path), digest.as_json())

