"""Shared command-line plumbing of the entry points (logging into the rule's log)."""

from __future__ import annotations

import argparse
import json
import logging


def parser(description: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(description=description)


def json_arg(text: str):
    """A JSON value given inline, as the workflow passes resolved task specs."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not valid JSON: {error}") from None


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
