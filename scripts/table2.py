"""Assemble Table 2, its long form and its record ids from the score files."""

import json
from pathlib import Path

import _cli

from xstilts.provenance import result_id
from xstilts.tables import long_form, over_seeds, records_table, table2, write_csv


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--layout", type=_cli.json_arg, required=True,
                     help='{"rows": [...], "targets": [...], "seeds": [...], '
                          '"categories": {target: category}, "unavailable": {row: reason}}')
    cli.add_argument("--scores", nargs="+", required=True,
                     help="score files, named <dir>/<intermediate>/<target>/seed<seed>.json")
    cli.add_argument("--output", required=True)
    cli.add_argument("--long-output", required=True)
    cli.add_argument("--records-output", required=True,
                     help="Table 2's shape, each cell the record ids of its score files")
    args = cli.parse_args()
    runs = {}
    for path in map(Path, args.scores):
        seed = int(path.stem.removeprefix("seed"))
        result = json.loads(path.read_text())
        runs[path.parent.parent.name, path.parent.name, seed] = {
            **result, "record": result_id(result)}
    layout = args.layout
    cells = over_seeds(runs, layout["seeds"])
    header, body = table2(cells, layout["rows"], layout["targets"], layout["categories"],
                          layout.get("unavailable"))
    write_csv(args.output, header, body)
    write_csv(args.long_output, *long_form(runs), digits=4)
    write_csv(args.records_output, header,
              records_table(cells, header, layout["rows"], layout["categories"]))


if __name__ == "__main__":
    main()
