"""Result tables as self-contained HTML pages, so that `snakemake --report` shows each table
itself (its viewer embeds HTML and images, and offers other files only for download)."""

from __future__ import annotations

import csv
import html
from pathlib import Path

STYLE = """
body { font-family: sans-serif; font-size: 13px; margin: 0; }
table { border-collapse: collapse; }
th, td { padding: 3px 8px; border-bottom: 1px solid #ddd; white-space: nowrap; }
th { position: sticky; top: 0; background: #f4f4f4; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
td.text { white-space: normal; max-width: 40em; }
tr:hover td { background: #f0f6ff; }
"""


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cell(text: str) -> str:
    kind = "number" if is_number(text) else "text"
    return f'<td class="{kind}">{html.escape(text)}</td>'


def table_page(path: Path) -> str:
    """The CSV file at `path` as an HTML page: a header row, then one row per line."""
    with open(path, newline="") as handle:
        header, *rows = list(csv.reader(handle)) or [[]]
    return page(Path(path).name, header, rows)


def page(title: str, header: list[str], rows: list[list[str]], intro: str = "") -> str:
    """A table as a self-contained HTML page, after an optional paragraph of text."""
    head = "".join(f"<th>{html.escape(name)}</th>" for name in header)
    body = "\n".join(f"<tr>{''.join(cell(text) for text in row)}</tr>" for row in rows)
    paragraph = f"<p>{html.escape(intro)}</p>\n" if intro else ""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n"
            f"<body>{paragraph}<table><thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
            "</tbody></table></body></html>\n")
