"""Prepare one dataset in the canonical format (download from the hub, or generate the demo)."""

import dataclasses

import _cli

from xstilts.spec import DatasetSpec
from xstilts.store.prepared import load_raw, write_prepared
from xstilts.store.revisions import locked_revision


def main() -> None:
    cli = _cli.parser(__doc__)
    cli.add_argument("--name", required=True, help="dataset key in the config")
    cli.add_argument("--spec", type=_cli.typed_json(DatasetSpec), required=True,
                     help="the dataset's config entry (JSON)")
    cli.add_argument("--demo", type=_cli.json_arg, required=True,
                     help="the config's `demo` block (JSON)")
    cli.add_argument("--output", required=True, help="directory of the prepared dataset")
    args = cli.parse_args()
    _cli.setup_logging()
    spec, resolved = args.spec, None
    if spec.source == "hub":  # a branch: its commit, locked on first download
        resolved = locked_revision("dataset", spec.path, spec.revision)
        spec = dataclasses.replace(spec, revision=resolved or spec.revision)
    manifest = write_prepared(args.name, args.spec, load_raw(args.name, spec, args.demo),
                              args.output, resolved)
    print(f"{args.name}: {sum(f['rows'] for f in manifest['files'].values())} rows "
          f"in {len(manifest['files'])} files")


if __name__ == "__main__":
    main()
