"""Audit of the published numbers: recompute them, and walk each back to the base model,
re-hashing every link.

A cell of Table 2 (intermediate row x target task, one seed) is the chain

    table (results/table2_long.csv, table2_records.csv: the score file's record id;
    results/table2.provenance.json: the hashes of the tables and of the score files read)
    -> scores -> predictions -> target checkpoint -> intermediate checkpoint -> base model
    -> data manifests

(retrieval targets and the baseline row skip the checkpoints they do not have). The audit
does not trust the records: a score file is scored again from its predictions and the
prepared gold split with the spec its record holds (xstilts.evaluate.scoring), and every
published table is built again from the files its record names by the builder its job
ran (xstilts.report.outputs), cell by cell against the file. Hashes are checked where
nothing can be recomputed: each link against the hash its child recorded
(xstilts.store.provenance), the content of each prediction and score file against the
`outputs.content_sha256` of the job that wrote it, a checkpoint's record against its
child's `record_sha256` and every checkpoint file against the record's `outputs.files`, a
manifest against its reference, every parquet file (and local release file) against the
manifest. A link is

- OK: recomputed and re-hashed, as recorded;
- WRONG: a number differs from the one computed again from its inputs (file, cell and both
  values named), whatever the hashes say;
- MODIFIED: a file differs from its recorded hash (named), or a checkpoint holds a file
  its record does not list;
- MISSING: a file or record is not there;
- DIRTY TREE: verified, but the code that wrote the record is not one clean commit
  (uncommitted changes, no git checkout, or the package imported from another checkout
  than the workflow's; `code.problem` of the record says which): a warning, failing with
  --strict.

Every other published output (Table 1, Table 3, the comparison, translation quality, the
figures) is audited by its record (`Output`); `audit_published` covers every record under
results/ and names any file there that no record names. Every file is hashed once per
audit and every record walked once, so `--all` costs about one pass over the files.
"""

from __future__ import annotations

import contextlib
import csv
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from xstilts.audit.differences import Difference, csv_differences, first_difference
from xstilts.audit.digest import Digest, chain_digest, counted, directory_of
from xstilts.report.table2 import TASK_SCORE_LANGUAGE, TASK_SCORE_METRIC
from xstilts.spec import paths
from xstilts.store.provenance import (
    RECORD,
    RECORD_ID_LENGTH,
    UNRECORDED,
    content_sha256,
    read_json,
    record_id,
    sha256_file,
)

OK, WRONG, MODIFIED, MISSING, DIRTY = "OK", "WRONG", "MODIFIED", "MISSING", "DIRTY TREE"
FAILED = (WRONG, MODIFIED, MISSING)
PARSED = 8  # JSON files kept parsed (a prediction file of the paper grid: tens of MB)
TABLE2 = paths.TABLE2_GRID  # or an extra table, table_<name> (same files, other rows)
TASK_SCORE = (TASK_SCORE_LANGUAGE, TASK_SCORE_METRIC)  # the long form's row of it
ROLES = {"base_model": "base model", "intermediate_tasks": "intermediate checkpoint",
         "target_tasks": "target checkpoint"}


@dataclass(frozen=True)
class Link:
    role: str  # table, scores, predictions, ... checkpoint, base model, data
    path: str
    status: str
    detail: str = ""


class Checked:
    """Something audited through its links (a cell, a published output)."""

    links: list[Link]

    @property
    def status(self) -> str:
        """The first failed link's status, else DIRTY TREE if any link has one, else OK."""
        first = self.first_problem()
        return first.status if first else OK

    def problems(self) -> list[Link]:
        return [link for link in self.links if link.status != OK]

    def first_problem(self) -> Link | None:
        """The first failed link in chain order, else the first dirty one."""
        problems = self.problems()
        failed = [link for link in problems if link.status in FAILED]
        return (failed or problems or [None])[0]


@dataclass
class Cell(Checked):
    """One seed of one Table 2 cell, with its values per (language, metric)."""

    intermediate: str
    target: str
    seed: int
    record: str  # the long form's record id of the score file
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    links: list[Link] = field(default_factory=list)


@dataclass
class Output(Checked):
    """A published output (tables, figures) by its record: the files it was built from,
    the files written, and what its builder gives again (xstilts.report.outputs)."""

    record: str
    kind: str
    files: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)


def read_cells(root: Path, table: str = TABLE2) -> list[Cell]:
    """Every seed of every cell of a table (Table 2 or an extra table), from its long form,
    in its order."""
    cells: dict[tuple[str, str, int], Cell] = {}
    with open(root / paths.grid_file("long", table), newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["seed"].isdigit():  # mean, std
                continue
            key = row["intermediate"], row["target"], int(row["seed"])
            cell = cells.setdefault(key, Cell(*key, record=""))
            cell.values.setdefault(row["language"], {})[row["metric"]] = row["value"]
            if (row["language"], row["metric"]) == TASK_SCORE:
                cell.record = row.get("record") or ""  # none before record ids
    return list(cells.values())


def cells_of(cells: list[Cell], intermediate: str, target: str, language: str | None = None,
           seed: int | None = None) -> list[Cell]:
    """The cells of one row and target (one seed, one language's values, if given)."""
    chosen = [cell for cell in cells
              if (cell.intermediate, cell.target) == (intermediate, target)
              and seed in (None, cell.seed)]
    if not chosen:
        raise LookupError(f"Table 2 has no cell {intermediate} x {target}"
                          + (f" for seed {seed}" if seed is not None else ""))
    if language is not None:
        for cell in chosen:
            if language not in cell.values:
                raise LookupError(f"{target} has no language {language!r} "
                                  f"(languages: {' '.join(sorted(cell.values))})")
            cell.values = {language: cell.values[language]}
    return chosen


class Auditor:
    """Verifies chains below `root`, hashing each file and walking each record once."""

    def __init__(self, root: Path, table: str = TABLE2, like: Auditor | None = None):
        """`like`: another table's auditor whose hashes and walked records this one reuses."""
        self.root = Path(root)
        self.long_table = paths.grid_file("long", table)
        self.records_path = paths.grid_file("records", table)
        self.table_record_path = paths.grid_file("provenance", table)
        self._table_files: Link | None = None
        self._table_record: dict | None = None
        self._hashes: dict[Path, str | None] = {}
        self._chains: dict[tuple, tuple[list[Link], dict]] = {}
        self._data: dict[tuple[str, str], Link] = {}
        self._records_table: dict[tuple[str, str], list[str]] | None = None
        self._outputs: dict[str, Output] = {}
        self._rescored: dict[str, Link] = {}  # score file: scored again, once
        self._contents: dict[Path, str] = {}  # result file: content_sha256, once
        self._parsed: OrderedDict[Path, object] = OrderedDict()  # the last JSON files read
        self.differences: dict[str, list[Difference]] = {}  # file: rebuilt cells that differ
        self.record_ids: dict[Path, str | None] = {}
        self.environments: dict[str, str | None] = {}  # record path: its packages' digest
        self.sources = {"files": 0, "seconds": 0.0}  # local sources re-hashed
        if like is not None:
            for name in ("_hashes", "_chains", "_data", "_outputs", "_rescored", "_contents",
                         "differences", "record_ids", "environments", "sources"):
                setattr(self, name, getattr(like, name))

    def audit(self, cell: Cell) -> Cell:
        score = Path(paths.fill(paths.SCORES, intermediate=cell.intermediate,
                                target=cell.target, seed=cell.seed))
        links, data = self.chain("scores", str(score), None)
        cell.links = [self.table_link(cell, score), *links, *data.values()]
        return cell

    # -- files and records ---------------------------------------------------------------

    def sha256(self, path: str | Path) -> str | None:
        """The file's sha256 (None if absent), computed once per audit."""
        resolved = (self.root / path).resolve()
        if resolved not in self._hashes:
            self._hashes[resolved] = sha256_file(resolved) if resolved.is_file() else None
        return self._hashes[resolved]

    def content_sha256(self, path: str | Path) -> str:
        """A result file's content_sha256 (its content without its record), once per audit."""
        resolved = (self.root / path).resolve()
        if resolved not in self._contents:
            self._contents[resolved] = content_sha256(self.parsed(resolved))
        return self._contents[resolved]

    def parsed(self, path: str | Path):
        """A JSON file's content; the last few stay parsed, as a chain reads each result
        file for its record, its content hash and its scores in turn."""
        resolved = (self.root / path).resolve()
        if resolved in self._parsed:
            self._parsed.move_to_end(resolved)
        else:
            self._parsed[resolved] = read_json(resolved)
            if len(self._parsed) > PARSED:
                self._parsed.popitem(last=False)
        return self._parsed[resolved]

    def check_file(self, role: str, path: str, expected: str | None) -> Link:
        """`path` against `expected`: a sha256, a record id (its prefix) or None (any)."""
        actual = self.sha256(path)
        if actual is None:
            return Link(role, path, MISSING, "not on disk")
        if expected is not None and not actual.startswith(expected):
            return Link(role, path, MODIFIED, "differs from its recorded hash")
        return Link(role, path, OK)

    def read_record(self, role: str, path: str) -> dict | None:
        """The provenance record of a checkpoint record file or a result JSON file."""
        try:
            data = self.parsed(path)
        except (OSError, ValueError):
            return None
        return data if role == "checkpoint" else data.get("provenance")

    # -- the chain ------------------------------------------------------------------------

    def chain(self, role: str, path: str, expected: str | None) -> tuple[list[Link], dict]:
        """(links from this record to the base model, {(manifest, hash): data link}) of the
        record at `path` whose child recorded hash `expected`."""
        key = role, path, expected
        if key not in self._chains:
            self._chains[key] = self._walk(role, path, expected)
        return self._chains[key]

    def _walk(self, role: str, path: str, expected: str | None) -> tuple[list[Link], dict]:
        link = self.check_file(role, path, expected)
        record = self.read_record(role, path) if link.status != MISSING else None
        if record is None:
            if link.status == OK:
                link = Link(role, path, MISSING, "no provenance record")
            return [link], {}
        if role == "checkpoint":
            role = ROLES.get(record["kind"]) or ROLES.get(record["params"].get("kind"), role)
            link = self.checkpoint_link(role, path, link, record)
            model_files = record.get("inputs", {}).get("model_files")
            if model_files and link.status == OK:
                link = self.local_source(role, link.path, record["params"]["model"]["path"],
                                         model_files, link)
        elif link.status == OK:
            link = self.content_link(role, path, record)
            if role == "scores" and link.status == OK:
                if path not in self._rescored:
                    self._rescored[path] = self.rescored(path, record)
                link = self._rescored[path]
        self.environments[path] = record.get("packages_digest")
        links, data = [with_subsets(mark_dirty(link, record), record)], {}
        for name, ref in data_refs(record).items():
            data[ref["path"], ref["sha256"]] = self.data_link(name, ref)
        parent = parent_ref(record)
        if parent:
            parent_links, parent_data = self.chain(*parent)
            links += parent_links
            data.update(parent_data)
        return links, data

    def checkpoint_link(self, role: str, record_path: str, link: Link, record: dict) -> Link:
        """The checkpoint's link: its record's, unless a file differs from `outputs.files`."""
        directory = Path(record_path).parent
        recorded = record["outputs"].get("files", {})
        for name, sha in recorded.items():
            checked = self.check_file(role, str(directory / name), sha)
            if checked.status != OK:
                return Link(role, str(directory), checked.status,
                            f"{directory / name}: {checked.detail}")
        unlisted = sorted(set(self.files_in(directory)) - set(recorded))
        if unlisted:
            return Link(role, str(directory), MODIFIED,
                        f"{directory / unlisted[0]}: a file the record does not list")
        return Link(role, str(directory), link.status, link.detail)

    def content_link(self, role: str, path: str, record: dict) -> Link:
        """A result file's content against the hash its own job recorded."""
        recorded = record.get("outputs", {}).get("content_sha256")
        if recorded is None:
            return Link(role, path, MISSING, "its record holds no content hash (written "
                                             "before content hashing: rebuild it)")
        if self.content_sha256(path) != recorded:
            return Link(role, path, MODIFIED, "content differs from what its job wrote "
                                              "(edited by hand?)")
        return Link(role, path, OK)

    def rescored(self, path: str, record: dict) -> Link:
        """A score file against the scores computed again, with the spec its record holds,
        from its predictions and the prepared gold splits (xstilts.evaluate.scoring)."""
        from xstilts.evaluate.scoring import score_file
        from xstilts.spec import SpecError, TaskSpec

        try:
            spec = TaskSpec.from_dict(record.get("params", {}), f"{path}: provenance.params")
        except (SpecError, TypeError) as error:
            return Link("scores", path, MISSING, f"its record holds no task spec to score "
                                                 f"again with ({error}): rebuild it")
        predictions = record["inputs"]["predictions"]["path"]
        if self.sha256(predictions) != record["inputs"]["predictions"]["sha256"]:
            return Link("scores", path, OK)  # the predictions' own link says what differs
        try:
            again = score_file(spec, self.root / data_root_of(record),
                               self.parsed(predictions))
        except (OSError, ValueError, LookupError) as error:
            return Link("scores", path, WRONG, f"cannot be scored again from {predictions}: "
                                               f"{error}")
        stored = {key: value for key, value in self.parsed(path).items()
                  if key != "provenance"}
        found = None if stored == again else first_difference(
            stored, json.loads(json.dumps(again)))  # as JSON: tuples are lists
        if found:
            where, ours, theirs = found
            return Link("scores", path, WRONG, f"{path}: {where} is {ours} on disk, {theirs} "
                                               f"scored again from {predictions}")
        return Link("scores", path, OK)

    # -- published outputs ----------------------------------------------------------------

    def output(self, record_path: str) -> Output:
        """A published output by its record: its inputs and outputs against the record's
        hashes, its score inputs scored again, the output built again and compared."""
        if record_path not in self._outputs:
            self._outputs[record_path] = self._audit_output(record_path)
        return self._outputs[record_path]

    def _audit_output(self, record_path: str) -> Output:
        try:
            record = read_json(self.root / record_path)
        except (OSError, ValueError):
            return Output(record_path, "", links=[Link("record", record_path, MISSING,
                                                       "no record of this output: rebuild it")])
        self.environments[record_path] = record.get("packages_digest")
        files = record.get("outputs", {}).get("files", {})
        links = [mark_dirty(Link("record", record_path, OK), record)]
        for role, recorded in record.get("inputs", {}).items():
            for path, sha in recorded.items():
                link = self.check_file(role, path, sha)
                if link.status == MODIFIED:
                    link = Link(role, path, MODIFIED, "differs from the file this output was "
                                                      "built from")
                elif link.status == OK and role == "scores":
                    link = self.chain("scores", path, sha)[0][0]
                links.append(link)
        links += [self.check_file("output", path, sha) for path, sha in files.items()]
        return Output(record_path, record.get("kind", ""), list(files),
                      links + self.rebuilt(record_path, record))

    def rebuilt(self, record_path: str, record: dict) -> list[Link]:
        """The output built again from its record (xstilts.report.outputs.BUILDERS): one
        WRONG link per file whose text differs, naming the first differing cell. Figures
        have no builder: their hashes and their tables' are what is checked."""
        from xstilts.report.outputs import BUILDERS

        builder = BUILDERS.get(record.get("kind"))
        if builder is None:
            return []
        inputs = record.get("input_order") or {role: list(files) for role, files
                                                in record.get("inputs", {}).items()}
        try:
            with contextlib.chdir(self.root):  # paths as the job was given them
                texts = builder(record.get("params", {}), inputs)
        except (OSError, ValueError, LookupError, TypeError) as error:
            return [Link("output", record_path, WRONG,
                         f"cannot be built again from its record: {error}")]
        links = []
        for role, files in record.get("outputs", {}).get("roles", {}).items():
            for path in files:
                if not (self.root / path).is_file():
                    continue  # its hash link says MISSING
                found = csv_differences(path, (self.root / path).read_text(), texts[role])
                self.differences[path] = found
                if found:
                    links.append(Link("output", path, WRONG, found[0].describe()))
        return links

    def files_in(self, directory: Path) -> list[str]:
        """Paths of the files below a checkpoint directory that its record should list."""
        return [str(path.relative_to(self.root / directory))
                for path in (self.root / directory).rglob("*")
                if path.is_file() and path.name not in UNRECORDED]

    def data_link(self, name: str, ref: dict) -> Link:
        """A manifest against its reference, and every file it lists against the manifest."""
        key = ref["path"], ref["sha256"]
        if key not in self._data:
            link = self.check_file("data", ref["path"], ref["sha256"])
            if link.status == OK:
                link = self._manifest_files(ref["path"], link)
            origin = (f"revision {ref.get('revision')}" if ref.get("source") != "local"
                      else "release files hashed in its manifest")
            if ref.get("resolved") and ref["resolved"] != ref.get("revision"):
                origin += f" (resolved: {ref['resolved']})"
            detail = link.detail or f"{name}: source {ref.get('source')}, {origin}"
            self._data[key] = Link(link.role, link.path, link.status, detail)
        return self._data[key]

    def _manifest_files(self, manifest_path: str, link: Link) -> Link:
        directory = Path(manifest_path).parent
        manifest = read_json(self.root / manifest_path)
        for key, entry in manifest["files"].items():
            checked = self.check_file("data", str(directory / f"{key}.parquet"),
                                      entry["sha256"])
            if checked.status != OK:
                return Link("data", manifest_path, checked.status,
                            f"{checked.path}: {checked.detail}")
        source = manifest.get("source", {})
        if source.get("source") == "local":
            return self.local_source("data", manifest_path, source["path"], source["files"],
                                     link)
        return link

    def local_source(self, role: str, path: str, directory: str, files: dict[str, str],
                     link: Link) -> Link:
        """A local source (release files, a model directory) re-hashed against the hashes
        its manifest or record took when it was read: Snakemake reruns on file times only,
        so a file edited with its time restored is found here. Not on this machine (an
        audit of a copy of the results): left as it is, and said."""
        if not (self.root / directory).is_dir():
            return Link(link.role, link.path, link.status, link.detail or
                        f"local source {directory} not on this machine: not re-hashed")
        started = time.perf_counter()
        try:
            for name, sha in files.items():
                checked = self.check_file(role, str(Path(directory) / name), sha)
                if checked.status != OK:
                    return Link(role, path, checked.status,
                                f"{checked.path}: {checked.detail} (local source)")
            return link
        finally:
            self.sources["files"] += len(files)
            self.sources["seconds"] += time.perf_counter() - started

    def table_link(self, cell: Cell, score: Path) -> Link:
        """Table 2 names this score file: the long form's record id is the file's
        (xstilts.store.provenance.record_id), and the records table lists it in the cell."""
        if not (self.root / self.records_path).exists():
            return Link("table", self.records_path, MISSING, "not on disk")
        files = self.table_files()
        if files.status != OK:
            return files
        built_from = self.check_file("table", str(score), self.table_inputs().get(str(score)))
        if built_from.status == MODIFIED:
            return Link("table", self.table_record_path, MODIFIED,
                        f"{score}: differs from the score file the table was built from")
        if not cell.record:
            return Link("table", self.long_table, MISSING, "no record id for this seed")
        listed = self.records_table().get((cell.intermediate, cell.target), [])
        if cell.record not in listed:
            return Link("table", self.records_path, MODIFIED,
                        f"record {cell.record} of {self.long_table} is not in this cell")
        self.output(self.table_record_path)  # built again: self.differences
        wrong = [found for path in self.table_paths()
                 for found in self.differences.get(path, [])
                 if found.concerns(cell.intermediate, cell.target)]
        if wrong:
            return Link("table", wrong[0].path, WRONG, wrong[0].describe())
        actual = self.record_ids.setdefault(score, record_id(self.root / score))
        status = MISSING if actual is None else OK if actual == cell.record else MODIFIED
        detail = {OK: f"record {cell.record}", MISSING: f"{score}: not on disk",
                  MODIFIED: f"{score} is not the score file Table 2 was built from "
                            f"(record {cell.record})"}[status]
        return Link("table", self.long_table, status, detail)

    def table_files(self) -> Link:
        """The table's files against the hashes its job recorded (once per audit)."""
        if self._table_files is None:
            record = self.table_record()
            checked = [self.check_file("table", path, sha)
                       for path, sha in record.get("outputs", {}).get("files", {}).items()]
            failed = [link for link in checked if link.status != OK]
            if not record:
                failed = [Link("table", self.table_record_path, MISSING,
                               "no record of the table (rebuild the table)")]
            self._table_files = (failed or [Link("table", self.table_record_path, OK)])[0]
        return self._table_files

    def table_paths(self) -> list[str]:
        return list(self.table_record().get("outputs", {}).get("files", {}))

    def table_inputs(self) -> dict[str, str]:
        """{score file: sha256} the table was built from."""
        return self.table_record().get("inputs", {}).get("scores", {})

    def table_record(self) -> dict:
        if self._table_record is None:
            try:
                self._table_record = read_json(self.root / self.table_record_path)
            except (OSError, ValueError):
                self._table_record = {}
        return self._table_record

    def records_table(self) -> dict[tuple[str, str], list[str]]:
        if self._records_table is None:
            with open(self.root / self.records_path, newline="") as handle:
                self._records_table = {(row["intermediate"], column): value.split()
                                       for row in csv.DictReader(handle)
                                       for column, value in row.items()}
        return self._records_table


def mark_dirty(link: Link, record: dict) -> Link:
    """A verified link whose record's code is not one clean commit is DIRTY TREE: a
    checkout with uncommitted changes or no checkout, or the package imported from another
    checkout than the workflow's (xstilts.store.provenance.code_version)."""
    code = record.get("code") or {}
    commit = (code.get("commit") or "unknown")[:RECORD_ID_LENGTH]
    detail = link.detail or f"commit {commit}"
    if link.status == OK and code.get("dirty"):
        reason = code.get("problem") or "with uncommitted changes"
        return Link(link.role, link.path, DIRTY, f"commit {commit}: {reason}"
                    if code.get("problem") else f"commit {commit} {reason}")
    return Link(link.role, link.path, link.status, detail)


def data_root_of(record: dict) -> str:
    """The root of the prepared datasets a record read (paths.DATA unless it says other)."""
    refs = list(data_refs(record).values())
    return str(Path(refs[0]["path"]).parent.parent) if refs else paths.DATA


def with_subsets(link: Link, record: dict) -> Link:
    """The link, its detail naming the splits the job read a subset of (config subsample)."""
    subsets = [f"{key} {size['rows']} of {size['of']}"
               for key, size in record.get("examples", {}).items() if size["rows"] < size["of"]]
    if not subsets:
        return link
    detail = "; ".join(filter(None, [link.detail, "subsampled: " + ", ".join(subsets)]))
    return Link(link.role, link.path, link.status, detail)


def parent_ref(record: dict) -> tuple[str, str, str | None] | None:
    """(role, path, expected hash) of the record's parent: the predictions a score was
    computed from, the checkpoint that predicted, the checkpoint training started from."""
    inputs = record.get("inputs", {})
    if "predictions" in inputs:
        ref = inputs["predictions"]
        return "predictions", ref["path"], ref["sha256"]
    ref = inputs.get("checkpoint") or inputs.get("init")
    if ref:
        record_path = ref.get("record") or str(Path(ref["path"]) / RECORD)
        return "checkpoint", record_path, ref["record_sha256"]
    return None


def data_refs(record: dict) -> dict:
    """{dataset: manifest reference} a record names (a base model's corpus included)."""
    inputs = record.get("inputs", {})
    return {**inputs.get("corpus", {}), **inputs.get("data", {})}


def audit_cells(root: Path, cells: list[Cell], table: str = TABLE2,
                auditor: Auditor | None = None) -> list[Cell]:
    auditor = Auditor(root, table, like=auditor)
    return [auditor.audit(cell) for cell in cells]


# -- everything published ----------------------------------------------------------------------


@dataclass
class Audit:
    """Every cell of every grid table, every published output, the environments that
    made each table's records, and the chain's root digest."""

    tables: dict[str, list[Cell]]
    outputs: list[Output]
    environments: dict[str, dict[str, list[str]]]  # table: {packages digest: records}
    digest: Digest | None = None
    sources: dict = field(default_factory=dict)  # local sources re-hashed: files, seconds

    def checked(self) -> list[Checked]:
        return [*(cell for cells in self.tables.values() for cell in cells), *self.outputs]


def published_records(root: Path) -> list[str]:
    """The records of the published outputs: results/<name>.provenance.json."""
    return sorted(str(path.relative_to(root))
                  for path in (Path(root) / paths.RESULTS).glob("*" + paths.RECORD_SUFFIX))


def record_of_table(name: str) -> str:
    """The record of a published output by its name (table2, table3, figures, ...)."""
    return f"{paths.RESULTS}/{name}{paths.RECORD_SUFFIX}"


def audit_published(root: Path, names: list[str] | None = None, *,
                    digest: bool = True) -> Audit:
    """Audit the outputs named (default: every published record), the cells of each grid
    table among them, every file below results/ that no record names, and (`digest`) the
    chain's root digest, hashing each file once."""
    root = Path(root)
    records = [record_of_table(name) for name in names] if names else published_records(root)
    auditor = Auditor(root)
    outputs = [auditor.output(record) for record in records]
    tables = {}
    for output in outputs:
        if output.kind == "table":
            table = Path(output.record).name.removesuffix(paths.RECORD_SUFFIX)
            tables[table] = audit_cells(root, read_cells(root, table), table, auditor)
    if not names:
        outputs += unrecorded(root, outputs)
    environments = {table: environments_of(auditor, cells, record_of_table(table))
                    for table, cells in tables.items()}
    chain = chain_digest(root, auditor.sha256, auditor.content_sha256) if digest else None
    return Audit(tables, outputs, environments, chain, auditor.sources)


def unrecorded(root: Path, outputs: list[Output]) -> list[Output]:
    """Files below results/ that no record names (scores and predictions carry their own)."""
    covered = {name for output in outputs for name in (output.record, *output.files)}
    own = (directory_of(paths.PREDICTIONS), directory_of(paths.SCORES))
    found = []
    for path in sorted((Path(root) / paths.RESULTS).rglob("*")):
        name = str(path.relative_to(root))
        if counted(Path(root), path) and name not in covered and not name.startswith(own):
            found.append(Output(name, "", [name], [Link(
                "output", name, MISSING, "no record names this file: rebuild it with the "
                                          "workflow, or remove it")]))
    return found


def environments_of(auditor: Auditor, cells: list[Cell], table_record: str) -> dict:
    """{packages digest: record paths} of a table's records, where they differ."""
    found: dict[str, list[str]] = {}
    for path in dict.fromkeys([table_record, *(link.path for cell in cells
                                                for link in cell.links)]):
        record = path if path in auditor.environments else str(Path(path) / RECORD)
        if auditor.environments.get(record):
            found.setdefault(auditor.environments[record], []).append(record)
    return found if len(found) > 1 else {}


def failed(checked: list[Checked], strict: bool = False) -> bool:
    """Whether anything failed (with `strict`, code that is not one clean commit fails
    too)."""
    bad = (*FAILED, DIRTY) if strict else FAILED
    return any(item.status in bad for item in checked)
