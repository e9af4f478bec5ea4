"""Draw the training curves (loss, selection score, the selected step) of every checkpoint
given, one PNG each, into one directory written whole."""

from pathlib import Path

import _cli

from xstilts.report.curves import curve_name, curve_title, read_history, training_curves
from xstilts.report.figures import render
from xstilts.store.atomic import atomic_output


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--checkpoints", nargs="+", required=True,
                     help="trained checkpoint directories, each with its log history")
    cli.add_argument("--names", type=_cli.json_arg, default={},
                     help="{task key: display name} (JSON), the config's display_names")
    cli.add_argument("--output", required=True, help="directory of the figures")
    args = cli.parse_args()
    with atomic_output(Path(args.output)) as directory:
        directory.mkdir(parents=True)
        for checkpoint in map(Path, args.checkpoints):
            render(training_curves, [directory / f"{curve_name(checkpoint)}.png"],
                   read_history(checkpoint), curve_title(checkpoint, args.names))


if __name__ == "__main__":
    main()
