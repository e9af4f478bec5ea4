"""Draw the figures (improvement over the baseline, significant cells outlined) from Table 2,
its long form and its intervals; each to every path given (.pdf, .svg and/or .png),
byte-identical on reruns."""

import _cli

from xstilts.report import figures
from xstilts.report.comparison import load_reference, paper_average_improvements
from xstilts.report.table2 import (
    AVERAGE,
    language_improvements,
    read_intervals,
    read_language_scores,
    read_table2,
)
from xstilts.report.table2 import TASK_SCORE_LANGUAGE as WHOLE_CELL
from xstilts.spec import paths
from xstilts.store import provenance


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--table", required=True, help=paths.TABLE2)
    cli.add_argument("--long", required=True, help=paths.TABLE2_LONG)
    cli.add_argument("--intervals", required=True, help=paths.TABLE2_CI)
    cli.add_argument("--reference", required=True, help="config/paper_reference.yaml")
    cli.add_argument("--metrics", type=_cli.json_arg, required=True,
                     help="{target task: metric name} (JSON), as in the config")
    cli.add_argument("--names", type=_cli.json_arg, default={},
                     help="{task key: display name} (JSON), the config's display_names")
    cli.add_argument("--heatmap", nargs="+", required=True,
                     help="(a) per intermediate x target task")
    cli.add_argument("--per-language", nargs="+", required=True,
                     help="(b) per language, one panel per target task")
    cli.add_argument("--average", nargs="+", required=True,
                     help="(c) average per intermediate task, the paper's values marked")
    cli.add_argument("--provenance-output", required=True,
                     help="record of the figures and of the tables they were drawn from")
    args = cli.parse_args()
    started = provenance.now()
    table = read_table2(args.table)
    by_language = language_improvements(read_language_scores(args.long, args.metrics))
    paper = paper_average_improvements(load_reference(args.reference))
    intervals = read_intervals(args.intervals)
    significant = [key for key, interval in intervals.items() if interval.significant]
    cells = {(row, column) for row, column, language in significant if language == WHOLE_CELL}
    languages = {(column, row, language) for row, column, language in significant
                 if language != WHOLE_CELL}
    averages = {row: (interval.improvement_low, interval.improvement_high)
                for (row, column, language), interval in intervals.items()
                if column == AVERAGE and language == WHOLE_CELL}
    figures.render(figures.improvement_heatmap, args.heatmap, table, cells, names=args.names)
    figures.render(figures.per_language_heatmaps, args.per_language, by_language, languages,
                   names=args.names)
    figures.render(figures.average_improvements, args.average, table, paper, averages,
                   names=args.names)
    provenance.write_output_record(
        args.provenance_output, "figures", params={"metrics": args.metrics, "names": args.names},
        inputs={"table": [args.table], "long": [args.long], "intervals": [args.intervals],
                "reference": [args.reference]},
        outputs={"heatmap": args.heatmap, "per_language": args.per_language,
                 "average": args.average}, started=started)


if __name__ == "__main__":
    main()
