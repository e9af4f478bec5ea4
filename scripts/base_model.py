"""Materialise the base model: download from the hub, copy a local one, or build the demo's."""

import _cli

from xstilts.models.base import base_model
from xstilts.spec import ModelSpec


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--spec", type=_cli.typed_json(ModelSpec), required=True,
                     help="the config's `model` block (JSON)")
    cli.add_argument("--seed", type=int, required=True)
    cli.add_argument("--corpus", nargs="*", default=[],
                     help="prepared dataset directories to train the demo tokenizer on")
    cli.add_argument("--output", required=True)
    args = cli.parse_args()
    _cli.setup_logging()
    base_model(args.spec, args.seed, args.corpus, args.output)


if __name__ == "__main__":
    main()
