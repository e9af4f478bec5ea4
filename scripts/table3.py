"""Assemble Table 3 (test sets: best intermediate task per target vs. the baseline)."""

import _cli

from xstilts.report.comparison import load_reference
from xstilts.report.table3 import table3
from xstilts.report.tables import read_runs, write_csv


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--layout", type=_cli.json_arg, required=True,
                     help='{"rows": [...], "targets": [...], "seeds": [...], '
                          '"categories": {target: category}, "fixed": {target: row}}')
    cli.add_argument("--scores", nargs="+", required=True,
                     help="score files, named <dir>/<intermediate>/<target>/seed<seed>.json")
    cli.add_argument("--reference", required=True, help="config/paper_reference.yaml")
    cli.add_argument("--output", required=True)
    args = cli.parse_args()
    runs = read_runs(args.scores)
    numbers = load_reference(args.reference)["numbers"]
    write_csv(args.output, *table3(runs, args.layout, numbers))


if __name__ == "__main__":
    main()
