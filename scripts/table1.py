"""Assemble Table 1 (the tasks and their data sizes) from the prepared datasets' manifests,
and its record."""

from pathlib import Path

import _cli

from xstilts.report.outputs import publish
from xstilts.store.provenance import MANIFEST


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--tasks", type=_cli.json_arg, required=True,
                     help="the tasks as xstilts.report.table1.describe_tasks gives them (JSON)")
    cli.add_argument("--unavailable", type=_cli.json_arg, default={},
                     help='{task: reason} for tasks whose data is missing (JSON)')
    cli.add_argument("--datasets", nargs="*", default=[],
                     help="prepared dataset directories, each with its manifest.json")
    cli.add_argument("--output", required=True)
    cli.add_argument("--provenance-output", required=True,
                     help="its record: the manifests read and the table, with their hashes")
    args = cli.parse_args()
    publish("table1", params={"tasks": args.tasks, "unavailable": args.unavailable},
            inputs={"manifests": [str(Path(directory) / MANIFEST) for directory in args.datasets]},
            outputs={"table": args.output}, record=args.provenance_output)


if __name__ == "__main__":
    main()
