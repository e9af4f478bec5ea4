"""Assemble Table 2 (or an extra table of other rows), its long form with bootstrap
intervals, the intervals of every cell and language, and the record ids."""

import _cli

from xstilts.report.intervals import (
    Settings,
    interval_table,
    jointly_resampled,
    summaries,
    with_intervals,
)
from xstilts.report.tables import long_form, over_seeds, read_runs, records_table, table2, write_csv
from xstilts.store import provenance


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--layout", type=_cli.json_arg, required=True,
                     help='{"rows": [...], "targets": [...], "seeds": [...], '
                          '"categories": {target: category}, "unavailable": {row: reason}, '
                          '"subsampled": note when the data were subsets}')
    cli.add_argument("--bootstrap", type=_cli.json_arg, required=True,
                     help='{"resamples": ..., "seed": ..., "confidence": ...} (config key)')
    cli.add_argument("--scores", nargs="+", required=True,
                     help="score files, named <dir>/<intermediate>/<target>/seed<seed>.json")
    cli.add_argument("--output", required=True)
    cli.add_argument("--long-output", required=True)
    cli.add_argument("--ci-output", required=True,
                     help="each cell's (and language's) interval and its improvement's")
    cli.add_argument("--records-output", required=True,
                     help="Table 2's shape, each cell the record ids of its score files")
    cli.add_argument("--provenance-output", required=True,
                     help="record of the score files read and the tables written (hashes)")
    args = cli.parse_args()
    started = provenance.now()
    runs = read_runs(args.scores)
    layout = args.layout
    cells = over_seeds(runs, layout["seeds"])
    header, body = table2(cells, layout["rows"], layout["targets"], layout["categories"],
                          layout.get("unavailable"), layout.get("subsampled", ""))
    write_csv(args.output, header, body)
    settings = Settings(**args.bootstrap)
    numbers = summaries(runs, layout["seeds"], layout["categories"], settings)
    write_csv(args.long_output, *with_intervals(*long_form(runs), numbers), digits=4)
    write_csv(args.ci_output, *interval_table(numbers, layout["rows"], layout["targets"],
                                              layout["categories"], jointly_resampled(runs)),
              digits=4)
    write_csv(args.records_output, header,
              records_table(cells, header, layout["rows"], layout["categories"]))
    provenance.write_json_atomic(args.provenance_output, provenance.table_record(
        args.scores, [args.output, args.long_output, args.ci_output, args.records_output],
        started))


if __name__ == "__main__":
    main()
