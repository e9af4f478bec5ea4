"""Compare Table 2 with the paper's published numbers: paper, ours with its bootstrap
interval, whether the paper's value lies inside it, difference."""

import _cli

from xstilts.report.comparison import compare, load_reference
from xstilts.report.results import read_intervals, read_table2
from xstilts.report.tables import write_csv
from xstilts.spec import paths


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--table", required=True, help=paths.TABLE2)
    cli.add_argument("--intervals", required=True, help=paths.TABLE2_CI)
    cli.add_argument("--reference", required=True, help="config/paper_reference.yaml")
    cli.add_argument("--output", required=True)
    args = cli.parse_args()
    write_csv(args.output, *compare(load_reference(args.reference), read_table2(args.table),
                                    read_intervals(args.intervals)))


if __name__ == "__main__":
    main()
