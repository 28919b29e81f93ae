"""The `distributor` command's Typer app and what its commands share."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from distributor.config import Settings, get_settings

if TYPE_CHECKING:
    from distributor.wiring import Container

cli = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Run the service or one of its parts, publish, preview, inspect.",
)
EventKind = Annotated[str, typer.Option("--type", help="published, updated or unpublished")]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]


def fail(message: str) -> NoReturn:
    """Print the error in red and exit with status 2."""
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(2)


def routing_path(settings: Settings) -> Path:
    """The configured routing file, or the example one when it does not exist."""
    from distributor.local.runner import EXAMPLE_ROUTING

    return settings.routing_file if settings.routing_file.exists() else EXAMPLE_ROUTING


@contextmanager
def container() -> Iterator[Container]:
    """The service's clients for one command (the example routing when none is configured)."""
    from distributor.wiring import build_container

    settings = get_settings()
    settings = settings.model_copy(update={"routing_file": routing_path(settings)})
    container = build_container(settings)
    try:
        yield container
    finally:
        container.close()
