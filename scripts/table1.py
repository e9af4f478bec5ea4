"""Assemble Table 1 (the tasks and their data sizes) from the prepared datasets' manifests."""

import _cli

from xstilts.report.table1 import load_manifests, table1
from xstilts.report.tables import write_csv


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--tasks", type=_cli.json_arg, required=True,
                     help="the tasks as xstilts.report.table1.describe_tasks gives them (JSON)")
    cli.add_argument("--unavailable", type=_cli.json_arg, default={},
                     help='{task: reason} for tasks whose data is missing (JSON)')
    cli.add_argument("--datasets", nargs="*", default=[],
                     help="prepared dataset directories, each with its manifest.json")
    cli.add_argument("--output", required=True)
    args = cli.parse_args()
    write_csv(args.output, *table1(args.tasks, load_manifests(args.datasets), args.unavailable))


if __name__ == "__main__":
    main()
