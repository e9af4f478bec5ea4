"""Audit the published numbers: rebuild every table cell from the score files and every
score from its predictions and the gold split, walk each back to the base model verifying
every hash, and print the chain's root digest.

    python scripts/audit.py --all [--json] [--strict]      # everything the workflow publishes
    python scripts/audit.py --all --expect DIGEST           # ... and fail unless the digest is this
    python scripts/audit.py --all --digest-out digest.json  # write the digest and its parts
    python scripts/audit.py --all --digest-out results/audit/digest.json \
        --page results/audit/digest.html                    # as the workflow's rule audit
    python scripts/audit.py --intermediate mnli --target pawsx --language ja [--seed 1]
    python scripts/audit.py --table table3                  # one output (table_mlm: its cells too)
    python scripts/audit.py --table table2 --deep 20        # re-predict 20 examples a language

Verdicts: OK; WRONG (a number differs from the one computed again from its inputs);
MODIFIED (a file differs from its recorded hash); MISSING (a file or record is not there);
DIRTY TREE (verified, but the code that ran is not one clean commit: a warning, failing
with --strict). Exits non-zero on WRONG, MODIFIED, MISSING, or a digest other than --expect.
"""

import json
import sys
import time
from pathlib import Path

import _cli

from xstilts.audit import deep, describe, digest, verify
from xstilts.store import atomic


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--all", action="store_true", help="every cell and output")
    cli.add_argument("--intermediate", help="row of Table 2 (an intermediate task or baseline)")
    cli.add_argument("--target", help="column of Table 2 (a target task)")
    cli.add_argument("--language", help="show this language's values (default: all)")
    cli.add_argument("--seed", type=int, help="one seed (default: every seed)")
    cli.add_argument("--table", help="one published output: table2, table_<name>, table1, "
                                     "table3, paper_comparison, translation_quality, figures")
    cli.add_argument("--json", action="store_true", help="machine-readable report on stdout")
    cli.add_argument("--strict", action="store_true",
                     help="records whose code is not one clean commit fail too")
    cli.add_argument("--expect", help="root digest (or --digest-out file) the chain must have")
    cli.add_argument("--digest-out", help="write the root digest, its parts and files here")
    cli.add_argument("--page", help="write the report's HTML page of the audit and its digest "
                                    "here (with --all)")
    cli.add_argument("--deep", type=int, metavar="N",
                     help="predict N seeded examples per language again from each cell's "
                          "checkpoint (CPU) and compare with its predictions")
    cli.add_argument("--root", default=".", help="workflow directory (default: here)")
    args = cli.parse_args()
    if args.intermediate and not args.target:
        cli.error("--intermediate needs --target")
    if not (args.all or args.intermediate or args.table):
        cli.error("one of --all, --intermediate or --table is required")
    if (args.page or args.digest_out) and not args.all:
        cli.error("--page and --digest-out need --all (the digest is over the whole grid)")
    root = Path(args.root)
    started = time.perf_counter()
    try:
        expected = digest.expected_digest(args.expect) if args.expect else None
        if args.intermediate:
            result = one_cell(root, args)
        else:
            result = verify.audit_published(root, [args.table] if args.table else None,
                                            digest=args.all and not args.table)
        if args.deep:
            for cells in result.tables.values():
                for cell in cells:
                    deep.deep_check(root, cell, args.deep)
    except (OSError, LookupError, ValueError) as error:
        sys.exit(f"audit: {error}")
    changed = digest.changes(expected, result.digest) if expected and result.digest else []
    if args.digest_out and result.digest:
        digest.write_digest(Path(args.digest_out), result.digest)
    if args.page and result.digest:
        atomic.write_text(Path(args.page), describe.digest_page(result))
    print(report(result, args, changed, time.perf_counter() - started))
    bad = verify.failed(result.checked(), args.strict) or bool(changed)
    sys.exit(1 if bad or (expected and result.digest is None) else 0)


def one_cell(root: Path, args) -> verify.Audit:
    table = args.table or verify.TABLE2
    cells = verify.cells_of(verify.read_cells(root, table), args.intermediate, args.target,
                            args.language, args.seed)
    return verify.Audit({table: verify.audit_cells(root, cells, table)}, [], {})


def report(result: verify.Audit, args, changed: list[str], seconds: float) -> str:
    if args.json:
        return json.dumps({
            "cells": describe.as_json([cell for cells in result.tables.values() for cell in cells]),
            "outputs": describe.as_json(result.outputs), "environments": result.environments,
            "digest": result.digest and {"root": result.digest.root,
                                         "parts": result.digest.parts},
            "digest_changes": changed}, indent=2)
    if args.intermediate:
        return "\n\n".join(describe.describe_chain(cell) for cells in result.tables.values()
                           for cell in cells)
    lines = [describe.describe_summary(cell) for cells in result.tables.values() for cell in cells]
    lines += [describe.describe_output(output) for output in result.outputs]
    if args.deep:
        lines += [f"{link.status:<10}  deep  {cell.intermediate} x {cell.target}, seed "
                  f"{cell.seed}: {link.detail}" for cells in result.tables.values()
                  for cell in cells for link in cell.links if link.role == "deep"]
    for table, environments in result.environments.items():
        lines += describe.describe_environments(table, environments)
    cells = [cell for table in result.tables.values() for cell in table]
    lines.append(f"{len(cells)} cells: {describe.totals(cells)}; "
                 f"{len(result.outputs)} outputs: {describe.totals(result.outputs)} "
                 f"({seconds:.1f} s)")
    if result.sources.get("files"):
        lines.append(f"local sources (release files, model directories) re-hashed: "
                     f"{result.sources['files']} files in {result.sources['seconds']:.1f} s")
    if result.digest:
        lines += [f"root digest {result.digest.root}",
                  *(f"  {part:<26} {sha}" for part, sha in result.digest.parts.items())]
    if args.expect:
        lines += changed or [f"root digest is the expected one ({args.expect})"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
