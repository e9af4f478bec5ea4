"""Predict every language of a target task with a model trained for another task of the
same training (XQuAD's SQuAD model for MLQA; an intermediate SQuAD model for the baseline's
XQuAD), as rules/evaluate.smk shares them (xstilts.config.sharing).

    python scripts/predict.py --spec '<resolved target spec>' \\
        --model models/target/mnli/xquad/seed1 --data data/prepared \\
        --predictions results/predictions/mnli/mlqa/seed1.json
"""

from xstilts.runtime.warm import hand_over

hand_over()  # with warm_start, the job goes on in a process that has imported torch

from pathlib import Path

import _cli

from xstilts.evaluate.zero_shot import write_predictions
from xstilts.spec import TaskSpec
from xstilts.store import provenance


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--spec", type=_cli.typed_json(TaskSpec), required=True,
                     help="resolved spec of the target predicted (JSON)")
    cli.add_argument("--model", required=True, help="the fine-tuned checkpoint that predicts")
    cli.add_argument("--data", required=True, help="root of the prepared datasets")
    cli.add_argument("--predictions", required=True, help="the prediction file to write")
    _cli.add_compute_arguments(cli)
    args = cli.parse_args()
    _cli.setup_logging()
    _cli.setup_compute(args)
    import torch

    from xstilts.formats.inference import pick_device
    from xstilts.runtime.devices import device_name
    from xstilts.train.loop import load_trained

    model, tokenizer = load_trained(args.spec, Path(args.model))
    trained_for = provenance.read_json(Path(args.model) / provenance.RECORD)["params"]["task"]
    device, _ = pick_device(args.spec.precision)
    write_predictions(Path(args.predictions), model, tokenizer, args.spec, Path(args.model),
                      Path(args.data), device_name(torch, device), trained_for)


if __name__ == "__main__":
    main()
