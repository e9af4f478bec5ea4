"""Reading release files, with errors that say where and what was expected.

Every parser of this package reads through these helpers, so that a missing file, a line
with the wrong number of fields, bad JSON, a label outside the label set, a repeated id or
an empty split all stop preparation with a message `<file>:<line>: <what is wrong>`.
TSV files are read without quoting (a quote character is text), as GLUE's and XTREME's own
readers do, and only "\\n" ends a line, so a stray carriage return stays in its sentence.
A byte-order mark at the start of a file (as some editors save UTF-8) is not text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path


class ReleaseFormatError(ValueError):
    """A release file is not in the format of its dataset's release."""


def location(path: Path, line: int | None = None) -> str:
    return f"{path}:{line}" if line else str(path)


def require_file(path: Path) -> Path:
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return Path(path)


def first_existing(*paths: Path) -> Path:
    """The first of alternative release files that exists (CosmosQA: CSV or JSONL)."""
    for path in paths:
        if path.is_file():
            return path
    raise FileNotFoundError(f"{' or '.join(map(str, paths))}: no such file")


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text without its line break) of every line of a UTF-8 file."""
    with open(require_file(path), encoding="utf-8-sig", newline="\n") as file:
        try:
            for number, line in enumerate(file, 1):
                yield number, line.removesuffix("\n").removesuffix("\r")
        except UnicodeDecodeError as error:
            raise ReleaseFormatError(f"{path}: not UTF-8 text ({error.reason})") from None


def split_fields(line: str, width: int, where: str) -> list[str]:
    fields = line.split("\t")
    if len(fields) != width:
        raise ReleaseFormatError(f"{where}: {len(fields)} tab-separated fields, expected "
                                 f"{width}")
    return fields


def require_keys(record, keys: Iterable[str], where: str) -> dict:
    """The record, if it is an object with every key."""
    if not isinstance(record, dict):
        raise ReleaseFormatError(f"{where}: expected a JSON object, found "
                                 f"{type(record).__name__}")
    missing = [key for key in keys if key not in record]
    if missing:
        raise ReleaseFormatError(f"{where}: missing {', '.join(map(repr, missing))} "
                                 f"(has {', '.join(map(repr, record))})")
    return record


def check_header(header: list[str], required: Iterable[str], where: str) -> None:
    missing = [column for column in required if column not in header]
    if missing:
        raise ReleaseFormatError(f"{where}: the header lacks column(s) "
                                 f"{', '.join(missing)} (it names {', '.join(header)})")


# --- record files: one example per line (TSV with header, JSONL) or per CSV record ----------


def tsv_rows(path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of every non-blank line of a TSV file without a header."""
    for number, line in read_lines(path):
        if line:
            yield number, split_fields(line, width, location(path, number))


def tsv_records(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(line number, {column: field}) of every row of a TSV file whose first line is a header."""
    lines = ((number, line) for number, line in read_lines(path) if line)
    number, first = next(lines, (1, ""))
    header = first.split("\t")
    check_header(header, required, location(path, number))
    for number, line in lines:
        fields = split_fields(line, len(header), location(path, number))
        yield number, dict(zip(header, fields, strict=True))


def jsonl_records(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(line number, object) of every non-blank line of a JSON-lines file."""
    for number, line in read_lines(path):
        if line.strip():
            where = location(path, number)
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ReleaseFormatError(f"{where}: not valid JSON ({error.msg} at column "
                                         f"{error.colno})") from None
            yield number, require_keys(record, required, where)


def csv_records(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(first line number, {column: field}) of every record of a quoted CSV file with header."""
    with open(require_file(path), encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        try:
            header = next(reader, [])
            check_header(header, required, location(path, 1))
            start = reader.line_num + 1
            for fields in reader:
                if fields:
                    if len(fields) != len(header):
                        raise ReleaseFormatError(
                            f"{location(path, start)}: {len(fields)} comma-separated fields, "
                            f"expected {len(header)}")
                    yield start, dict(zip(header, fields, strict=True))
                start = reader.line_num + 1
        except csv.Error as error:
            raise ReleaseFormatError(f"{location(path, reader.line_num)}: not valid CSV "
                                     f"({error})") from None


RECORD_READERS = {".tsv": tsv_records, ".jsonl": jsonl_records, ".csv": csv_records}


def read_records(path: Path, required: Iterable[str]) -> Iterator[tuple[int, dict]]:
    """(line number, record) of a TSV, JSONL or CSV file, chosen by its suffix."""
    return RECORD_READERS[Path(path).suffix](path, required)


def json_document(path: Path):
    """The parsed content of a JSON file."""
    try:
        return json.loads(require_file(path).read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise ReleaseFormatError(f"{location(path, error.lineno)}: not valid JSON "
                                 f"({error.msg} at column {error.colno})") from None
    except UnicodeDecodeError as error:
        raise ReleaseFormatError(f"{path}: not UTF-8 text ({error.reason})") from None


def sentence_blocks(path: Path, width: int,
                    comment: str | None = None) -> Iterator[list[tuple[int, list[str]]]]:
    """Blank-line-separated sentences, each a list of (line number, tab-separated fields);
    lines starting with `comment` are skipped (CoNLL-U's "#" lines)."""
    block = []
    for number, line in read_lines(path):
        if not line.strip():
            if block:
                yield block
            block = []
        elif comment is None or not line.startswith(comment):
            block.append((number, split_fields(line, width, location(path, number))))
    if block:
        yield block


# --- values ------------------------------------------------------------------------------------


def label_index(value, spellings: tuple[str, ...], where: str,
                unlabelled: tuple[str, ...] = ()) -> int:
    """Index of the label the file spells `value`; -1 for a spelling of "no gold label"."""
    value = str(value)
    if value in unlabelled:
        return -1
    if value not in spellings:
        raise ReleaseFormatError(f"{where}: label {value!r} is not one of "
                                 f"{', '.join(spellings)}")
    return spellings.index(value)


def check_unique(ids: Iterable[tuple[str, str]], what: str = "id") -> None:
    """Stop at the second occurrence of an id; `ids` holds (id, where it occurs) pairs."""
    first = {}
    for key, where in ids:
        if key in first:
            raise ReleaseFormatError(f"{where}: {what} {key!r} occurs twice (first at "
                                     f"{first[key]}); ids must be unique")
        first[key] = where


# --- hub configurations ------------------------------------------------------------------------


def build_split(layout, rows: list[dict], source: Path | str):
    """The rows as a datasets.Dataset with the layout's hub features; an empty split is an
    error, as a release file without examples is a wrong or truncated file."""
    from datasets import Dataset

    if not rows:
        raise ReleaseFormatError(f"{source}: no examples; expected at least one")
    return Dataset.from_list(rows, features=layout.features())


def configurations(layout, root: Path, files: dict[str, str], languages: list[str],
                   read_rows: Callable[[Path, str | None], list[dict]],
                   overrides: dict[str, dict[str, str]] | None = None) -> dict:
    """{hub configuration: DatasetDict} of split files named relative to `root`.

    A file name holding `{lang}` makes one configuration per language, as the hub has them;
    otherwise one configuration (None) holds every language. `overrides` replaces file names
    for one language (PAWS-X's English training file). read_rows(path, language) -> rows.
    """
    from datasets import DatasetDict

    per_language = any("{lang}" in name for name in files.values())
    result = {}
    for language in languages if per_language else [None]:
        names = {**files, **(overrides or {}).get(language, {})}
        paths = {split: root / name.format(lang=language) for split, name in names.items()}
        result[language] = DatasetDict({
            split: build_split(layout, read_rows(path, language), path)
            for split, path in paths.items()})
    return result
