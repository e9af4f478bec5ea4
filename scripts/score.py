"""Score zero-shot predictions with the task's official metric (no torch import).

Either the workflow's prediction file (every language), or an official single-language
file `{example id: prediction}` with --language, e.g.

    python scripts/score.py --task xnli --configfile config/config.yaml config/demo.yaml \
        --data data/prepared --predictions fr.json --language fr
"""

import json
from pathlib import Path

import _cli

from xstilts.config import load, resolve_task
from xstilts.evaluate.scoring import score_file, score_predictions
from xstilts.spec import TaskSpec
from xstilts.store import provenance
from xstilts.store.splits import evaluated_sizes


def main() -> None:
    cli = _cli.parser(__doc__)
    source = cli.add_mutually_exclusive_group(required=True)
    source.add_argument("--spec", type=_cli.typed_json(TaskSpec),
                        help="resolved target task spec (JSON), as the workflow passes it")
    source.add_argument("--task", help="target task name, resolved from --configfile")
    cli.add_argument("--configfile", nargs="+", default=["config/config.yaml"],
                     help="config files merged in order, as for snakemake")
    cli.add_argument("--data", required=True, help="root of the prepared datasets")
    cli.add_argument("--predictions", required=True)
    cli.add_argument("--language", help="score an official single-language file")
    cli.add_argument("--output", help="write the scores here (JSON); print them otherwise")
    args = cli.parse_args()
    if args.task:
        args.spec = resolve_task(load(args.configfile), "target_tasks", args.task)
    started = provenance.now()
    # the workflow's own prediction file, if damaged, is removed so that a rerun rewrites it
    read = provenance.read_json if args.language else provenance.read_result
    loaded = read(args.predictions)
    if args.language:
        scores = score_predictions(args.spec, Path(args.data), {args.language: loaded},
                                   partial=True)
    else:
        scores = score_file(args.spec, Path(args.data), loaded)
    if not args.output:
        print(json.dumps(scores, indent=2))
        return
    scores["provenance"] = provenance.scores_record(
        args.spec, Path(args.predictions), Path(args.data), started,
        extra={"examples": evaluated_sizes(args.spec, Path(args.data))})
    provenance.write_result(Path(args.output), scores)


if __name__ == "__main__":
    main()
