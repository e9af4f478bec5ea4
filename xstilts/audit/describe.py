"""The audit's results as a reader sees them: a line per cell or output, a cell's whole
chain, a note on mixed environments, and the JSON form."""

from __future__ import annotations

from dataclasses import asdict

from xstilts.audit.verify import Cell, Checked, Output
from xstilts.report.table2 import TASK_SCORE_LANGUAGE
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
