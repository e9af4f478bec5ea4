"""Draw the training curves (loss, selection score, the selected step) of every checkpoint
given, one PNG each, into one directory written whole."""

from pathlib import Path

import _cli

from xstilts.report.curves import curve_name, curve_title, read_history, training_curves
from xstilts.report.figures import render
from xstilts.spec import paths
from xstilts.store import provenance
from xstilts.store.atomic import atomic_output


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--checkpoints", nargs="+", required=True,
                     help="trained checkpoint directories, each with its log history")
    cli.add_argument("--names", type=_cli.json_arg, default={},
                     help="{task key: display name} (JSON), the config's display_names")
    cli.add_argument("--output", required=True, help="directory of the figures")
    cli.add_argument("--provenance-output", required=True,
                     help="record of the histories read and the figures written (hashes)")
    args = cli.parse_args()
    started = provenance.now()
    checkpoints = list(map(Path, args.checkpoints))
    with atomic_output(Path(args.output)) as directory:
        directory.mkdir(parents=True)
        for checkpoint in checkpoints:
            render(training_curves, [directory / f"{curve_name(checkpoint)}.png"],
                   read_history(checkpoint), curve_title(checkpoint, args.names))
    provenance.write_output_record(
        args.provenance_output, "curves", params={"names": args.names},
        inputs={"histories": [checkpoint / paths.LOG_HISTORY for checkpoint in checkpoints]},
        outputs={"curves": sorted(Path(args.output).glob("*.png"))}, started=started)


if __name__ == "__main__":
    main()
