"""Audit a table's numbers: walk each back to the base model, verifying every hash.

    python scripts/audit.py --intermediate mnli --target pawsx --language ja [--seed 1]
    python scripts/audit.py --all [--json]
    python scripts/audit.py --table table_mlm --all      # an extra table's rows

Table 3's `records` column names Table 2 cells' score files: audit them as Table 2's.

Exits non-zero when a link is MODIFIED or MISSING (with --strict, also on DIRTY TREE).
"""

import json
import sys
from pathlib import Path

import _cli

from xstilts.audit import audit


def main() -> None:
    cli = _cli.parser(__doc__)
    which = cli.add_mutually_exclusive_group(required=True)
    which.add_argument("--intermediate", help="row of Table 2 (an intermediate task or baseline)")
    which.add_argument("--all", action="store_true", help="every cell of Table 2")
    cli.add_argument("--target", help="column of Table 2 (a target task)")
    cli.add_argument("--language", help="show this language's values (default: all)")
    cli.add_argument("--seed", type=int, help="one seed (default: every seed)")
    cli.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    cli.add_argument("--strict", action="store_true",
                     help="records written from a dirty working tree fail too")
    cli.add_argument("--table", default=audit.TABLE2,
                     help="table2 (default) or an extra table, e.g. table_mlm")
    cli.add_argument("--root", default=".", help="workflow directory (default: here)")
    args = cli.parse_args()
    if args.intermediate and not args.target:
        cli.error("--intermediate needs --target")
    root = Path(args.root)
    try:
        cells = audit.read_cells(root, args.table)
        if not args.all:
            cells = audit.cells_of(cells, args.intermediate, args.target, args.language,
                                 args.seed)
    except (OSError, LookupError) as error:
        sys.exit(f"audit: {error}")
    cells = audit.audit_cells(root, cells, args.table)
    print(report(cells, args))
    sys.exit(1 if audit.failed(cells, args.strict) else 0)


def report(cells: list, args) -> str:
    if args.json:
        return json.dumps(audit.as_json(cells), indent=2)
    if not args.all:
        return "\n\n".join(map(audit.describe_chain, cells))
    counts = {status: sum(cell.status == status for cell in cells)
              for status in (audit.OK, audit.DIRTY, audit.MODIFIED, audit.MISSING)}
    totals = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
    return "\n".join([*map(audit.describe_summary, cells), f"{len(cells)} cells: {totals}"])


if __name__ == "__main__":
    main()
