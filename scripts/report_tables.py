"""Render result tables (CSV) as HTML pages for `snakemake --report`, into one directory
written whole: <name>.html for each --table NAME=PATH."""

import argparse
from pathlib import Path

import _cli

from xstilts.report.html_tables import table_page
from xstilts.store import provenance
from xstilts.store.atomic import atomic_output


def named_path(text: str) -> tuple[str, Path]:
    name, separator, path = text.partition("=")
    if not separator or not name:
        raise argparse.ArgumentTypeError(f"{text!r}: expected NAME=PATH")
    return name, Path(path)


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--table", type=named_path, action="append", required=True,
                     help="NAME=PATH of a CSV table (repeat for each)")
    cli.add_argument("--output", required=True, help="directory of the HTML pages")
    cli.add_argument("--provenance-output", required=True,
                     help="record of the tables read and the pages written (hashes)")
    args = cli.parse_args()
    started = provenance.now()
    with atomic_output(Path(args.output)) as directory:
        directory.mkdir(parents=True)
        for name, path in args.table:
            (directory / f"{name}.html").write_text(table_page(path))
    provenance.write_output_record(
        args.provenance_output, "report_tables", params={},
        inputs={name: [path] for name, path in args.table},
        outputs={"pages": [Path(args.output) / f"{name}.html" for name, _ in args.table]},
        started=started)


if __name__ == "__main__":
    main()
