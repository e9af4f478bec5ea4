"""The audit's results as a reader sees them: a line per cell or output, a cell's whole
chain, a note on mixed environments, the JSON form, and the report's page of the digest."""

from __future__ import annotations

from dataclasses import asdict

from xstilts.audit.verify import (
    DIRTY,
    MISSING,
    MODIFIED,
    OK,
    WRONG,
    Audit,
    Cell,
    Checked,
    Output,
)
from xstilts.report.html_tables import page
from xstilts.report.table2 import TASK_SCORE_LANGUAGE
from xstilts.spec import paths
from xstilts.store.provenance import RECORD_ID_LENGTH


def describe_chain(cell: Cell) -> str:
    """A cell and every link of its chain, one per line."""
    values = "; ".join(f"{language} {metric} {value}"
                       for language, metrics in cell.values.items()
                       for metric, value in metrics.items())
    lines = [f"{cell.intermediate} x {cell.target}, seed {cell.seed}: {values} "
             f"(record {cell.record}): {cell.status}"]
    width = max(len(link.role) for link in cell.links)
    lines += [f"  {link.status:<10}  {link.role:<{width}}  {link.path}"
              + (f"  ({link.detail})" if link.detail else "") for link in cell.links]
    return "\n".join(lines)


def describe_summary(cell: Cell) -> str:
    """One line per cell: its status and, unless OK, its first problem."""
    languages = " ".join(sorted(language for language in cell.values
                                 if language != TASK_SCORE_LANGUAGE))
    line = f"{cell.status:<10}  {cell.intermediate} x {cell.target}, seed {cell.seed} ({languages})"
    problem = cell.first_problem()
    return line + (f": {problem.role} {problem.path} ({problem.detail})" if problem else "")


def describe_output(output: Output) -> str:
    """One line per output: its status, record and, unless OK, its first problem."""
    line = f"{output.status:<10}  {output.record}" + (f" ({output.kind})" if output.kind else "")
    problem = output.first_problem()
    return line + (f": {problem.role} {problem.path} ({problem.detail})" if problem else "")


def describe_environments(table: str, environments: dict[str, list[str]]) -> list[str]:
    """A warning per table whose records were made in different environments."""
    if not environments:
        return []
    lines = [f"NOTE        {table}: its records come from {len(environments)} environments "
             "(installed distributions differ):"]
    lines += [f"  packages {digest[:RECORD_ID_LENGTH]}: {len(records)} records, e.g. "
              f"{records[0]}" for digest, records in environments.items()]
    return lines


def as_json(checked: list[Checked]) -> list[dict]:
    return [{**asdict(item), "status": item.status} for item in checked]


def totals(checked: list[Checked]) -> str:
    """How many items have each status, e.g. "152 OK, 1 WRONG"."""
    statuses = (OK, DIRTY, WRONG, MODIFIED, MISSING)
    counts = {status: sum(item.status == status for item in checked) for status in statuses}
    return ", ".join(f"{count} {status}" for status, count in counts.items() if count) or "none"


def digest_page(result: Audit) -> str:
    """The report's page of the audit: what was verified, and the root digest with its
    parts, to publish with the results."""
    cells = [cell for table in result.tables.values() for cell in table]
    intro = (f"Audited {len(cells)} cells ({totals(cells)}) and {len(result.outputs)} "
             f"outputs ({totals(result.outputs)}). Publish the root digest with the results: "
             f"`python scripts/audit.py --all --expect {paths.AUDIT_DIGEST}` checks a copy "
             "of the grid against it and names the part and the files that differ.")
    rows = [["root", result.digest.root], *map(list, result.digest.parts.items())]
    return page("audit digest", ["part", "sha256"], rows, intro)
