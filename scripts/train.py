"""Train one model on one task from a checkpoint's encoder; optionally predict every language."""

from xstilts.runtime.warm import hand_over

hand_over()  # with warm_start, the job goes on in a process that has imported torch

from pathlib import Path

import _cli

from xstilts.evaluate.zero_shot import write_predictions
from xstilts.spec import TaskSpec
from xstilts.train.loop import train


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--spec", type=_cli.typed_json(TaskSpec), required=True,
                     help="resolved task spec (JSON), as xstilts.config.resolve_task "
                     "builds it")
    cli.add_argument("--init", required=True, help="checkpoint whose encoder is fine-tuned")
    cli.add_argument("--data", required=True, help="root of the prepared datasets")
    cli.add_argument("--output", required=True, help="directory of the selected checkpoint")
    cli.add_argument("--predictions", help="write zero-shot predictions for every language here")
    cli.add_argument("--checkpoint-minutes", type=float, default=30,
                     help="minutes of training between resume checkpoints (0: every evaluation)")
    cli.add_argument("--report-to", default="none", choices=["none", "tensorboard"],
                     help="the Trainer's report_to: tensorboard writes event files into the "
                     "checkpoint")
    _cli.add_compute_arguments(cli)
    args = cli.parse_args()
    _cli.setup_logging()
    _cli.setup_compute(args)
    model, tokenizer, record = train(args.spec, Path(args.init), Path(args.data),
                                     Path(args.output), args.checkpoint_minutes, args.report_to)
    if args.predictions:
        write_predictions(Path(args.predictions), model, tokenizer, args.spec,
                          Path(args.output), Path(args.data), record["device"])


if __name__ == "__main__":
    main()
