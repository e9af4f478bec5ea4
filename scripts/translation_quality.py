"""Score machine-translated intermediate-task data against human translations (chrF, BLEU)
and write the table with a provenance record beside it."""

from pathlib import Path

import _cli

from xstilts.report.tables import write_csv
from xstilts.report.translation import report_table
from xstilts.spec.specs import DatasetSpec
from xstilts.store import provenance


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--datasets", type=_cli.typed_json(DatasetSpec, dict), required=True,
                     help="{name: config entry} of the translated datasets, each with its "
                          "`reference` (JSON)")
    cli.add_argument("--data", required=True, help="directory of the prepared datasets")
    cli.add_argument("--output", required=True, help="the table (CSV)")
    cli.add_argument("--provenance", required=True,
                     help="its provenance record (JSON): the datasets read, by manifest hash")
    args = cli.parse_args()
    _cli.setup_logging()
    started = provenance.now()
    header, body = report_table(Path(args.data), args.datasets)
    write_csv(args.output, header, body)
    references = [spec.reference.dataset for spec in args.datasets.values()]
    provenance.write_json_atomic(Path(args.provenance), provenance.record(
        "translation_quality",
        params={"datasets": {name: spec.to_dict() for name, spec in args.datasets.items()}},
        inputs={"data": provenance.dataset_refs(Path(args.data), [*args.datasets, *references])},
        outputs={"table": {args.output: provenance.sha256_file(Path(args.output))}},
        started=started))
    print(f"{args.output}: {len(body)} rows")


if __name__ == "__main__":
    main()
