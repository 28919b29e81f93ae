"""Commands for the managers' desk."""

from __future__ import annotations

import typer

from distributor.cli.app import cli, container


@cli.command("desk-index")
def desk_index() -> None:
    """File every stored article under its publish time, for the desk's Today page (once, for
    articles stored before the index existed; new ones are filed as they are saved)."""
    with container() as c:
        typer.echo(f"{c.articles.reindex()} articles indexed by publish time")
