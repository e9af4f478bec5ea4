"""Score machine-translated intermediate-task data against human translations (chrF, BLEU)
and write the table with a provenance record beside it."""

from pathlib import Path

import _cli

from xstilts.report.outputs import publish
from xstilts.spec import DatasetSpec
from xstilts.store.provenance import MANIFEST


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
    names = [*args.datasets, *(spec.reference.dataset for spec in args.datasets.values())]
    publish("translation_quality",
            params={"datasets": {name: spec.to_dict() for name, spec in args.datasets.items()},
                    "data": args.data},
            inputs={"manifests": [str(Path(args.data) / name / MANIFEST)
                                  for name in dict.fromkeys(names)]},
            outputs={"table": args.output}, record=args.provenance)
    print(f"{args.output}: written")


if __name__ == "__main__":
    main()
