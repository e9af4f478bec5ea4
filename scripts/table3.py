"""Assemble Table 3 (test sets: best intermediate task per target vs. the baseline) and
its record."""

import _cli

from xstilts.report.outputs import publish


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--layout", type=_cli.json_arg, required=True,
                     help='{"rows": [...], "targets": [...], "seeds": [...], '
                          '"categories": {target: category}, "fixed": {target: row}}')
    cli.add_argument("--scores", nargs="+", required=True,
                     help="score files, named <dir>/<intermediate>/<target>/seed<seed>.json")
    cli.add_argument("--reference", required=True, help="config/paper_reference.yaml")
    cli.add_argument("--output", required=True)
    cli.add_argument("--provenance-output", required=True,
                     help="its record: the files read and written, with their hashes")
    args = cli.parse_args()
    publish("table3", params={"layout": args.layout},
            inputs={"scores": args.scores, "reference": [args.reference]},
            outputs={"table": args.output}, record=args.provenance_output)


if __name__ == "__main__":
    main()
