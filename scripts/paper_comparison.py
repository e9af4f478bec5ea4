"""Compare Table 2 with the paper's published numbers: paper, ours with its bootstrap
interval, whether the paper's value lies inside it, difference; and its record."""

import _cli

from xstilts.report.outputs import publish
from xstilts.spec import paths


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--table", required=True, help=paths.TABLE2)
    cli.add_argument("--intervals", required=True, help=paths.TABLE2_CI)
    cli.add_argument("--reference", required=True, help="config/paper_reference.yaml")
    cli.add_argument("--output", required=True)
    cli.add_argument("--provenance-output", required=True,
                     help="its record: the files read and written, with their hashes")
    args = cli.parse_args()
    publish("paper_comparison", params={},
            inputs={"table": [args.table], "intervals": [args.intervals],
                    "reference": [args.reference]},
            outputs={"table": args.output}, record=args.provenance_output)


if __name__ == "__main__":
    main()
