"""Shared command-line plumbing of the entry points (logging into the rule's log)."""

from __future__ import annotations

import argparse
import json
import logging


def parser(description: str) -> argparse.ArgumentParser:
    """A parser whose help prints the script's docstring as written, so the usage
    examples in it stay one per line."""
    return argparse.ArgumentParser(description=description,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


def json_arg(text: str):
    """A JSON value given inline, as the workflow passes resolved task specs."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None


def typed_json(spec_class, container: type | None = None):
    """An argument type: inline JSON read into a typed spec, or into a list or dict of them
    (`container`), an unknown or missing key named with its place."""
    from xstilts.spec import SpecError

    def parse(text: str):
        value = json_arg(text)
        try:
            if container is list:
                return [spec_class.from_dict(item, f"[{i}]") for i, item in enumerate(value)]
            if container is dict:
                return {key: spec_class.from_dict(item, key) for key, item in value.items()}
            return spec_class.from_dict(value)
        except (SpecError, TypeError, AttributeError) as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")


def add_compute_arguments(cli: argparse.ArgumentParser) -> None:
    cli.add_argument("--threads", type=int, default=1, help="CPU threads (the rule's threads)")
    cli.add_argument("--gpus", type=int, default=0,
                     help="GPUs to claim on this machine (the rule's gpu resource)")


def setup_compute(args: argparse.Namespace) -> None:
    """Claim the job's GPUs (before torch sees any), set its CPU threads, and switch the
    hub libraries offline: compute jobs read only what the local rules downloaded."""
    from xstilts.runtime import devices
    from xstilts.runtime.offline import go_offline

    go_offline()
    visible = devices.claim(args.gpus)
    logging.getLogger("xstilts").info("CUDA_VISIBLE_DEVICES=%r", visible)

    import torch

    torch.set_num_threads(args.threads)
