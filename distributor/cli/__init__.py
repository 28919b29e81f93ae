"""The `distributor` command: run the service or one of its parts, publish, preview, inspect,
and the managers' commands (reshare, retry, tokens, audit, evergreen).

Each module adds its commands to the one Typer app in ``app``."""

from __future__ import annotations

import sys

import typer

from distributor.cli import articles, desk, manage, readers, service, tokens
from distributor.cli.app import cli
from distributor.errors import DistributorError

__all__ = ["articles", "cli", "desk", "main", "manage", "readers", "service", "tokens"]


def main() -> None:
    """Entry point of the `distributor` command."""
    try:
        cli()
    except DistributorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
