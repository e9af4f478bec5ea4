"""Render result tables (CSV) as HTML pages for `snakemake --report`, into one directory
written whole: <name>.html for each --table NAME=PATH."""

import argparse
from pathlib import Path

import _cli

from xstilts.report.html_tables import table_page
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
    args = cli.parse_args()
    with atomic_output(Path(args.output)) as directory:
        directory.mkdir(parents=True)
        for name, path in args.table:
            (directory / f"{name}.html").write_text(table_page(path))


if __name__ == "__main__":
    main()
