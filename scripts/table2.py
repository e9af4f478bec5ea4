"""Assemble Table 2 (or an extra table of other rows), its long form with bootstrap
intervals, the intervals of every cell and language, the record ids, and its record."""

import _cli

from xstilts.report.outputs import publish


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
    publish("table", params={"layout": args.layout, "bootstrap": args.bootstrap},
            inputs={"scores": args.scores},
            outputs={"table": args.output, "long": args.long_output, "ci": args.ci_output,
                     "records": args.records_output},
            record=args.provenance_output)


if __name__ == "__main__":
    main()
