"""Evaluate a checkpoint as sentence encoder on retrieval tasks (BUCC, Tatoeba), all languages."""

from xstilts.runtime.warm import hand_over

hand_over()  # with warm_start, the job goes on in a process that has imported torch

from pathlib import Path

import _cli

from xstilts.formats.retrieval import evaluate
from xstilts.spec import TaskSpec


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--specs", type=_cli.typed_json(TaskSpec, list), required=True,
                     help="list of resolved task specs (JSON), as xstilts.config.resolve_task "
                          "builds them")
    cli.add_argument("--init", required=True, help="checkpoint whose encoder embeds the sentences")
    cli.add_argument("--layer", type=int, required=True,
                     help="hidden layer to mean-pool (0 = embedding output)")
    cli.add_argument("--data", required=True, help="root of the prepared datasets")
    cli.add_argument("--outputs", nargs="+", required=True,
                     help="one prediction file (JSON) per task, in the order of --specs")
    _cli.add_compute_arguments(cli)
    args = cli.parse_args()
    _cli.setup_logging()
    _cli.setup_compute(args)
    evaluate(args.specs, Path(args.init), Path(args.data), args.layer,
             [Path(output) for output in args.outputs])


if __name__ == "__main__":
    main()
