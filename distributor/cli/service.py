"""Commands that run the service or one of its parts."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from distributor.cli.app import cli
from distributor.config import get_settings


@cli.command()
def run(
    var: Annotated[Path, typer.Option(help="data folder (embedded Redis)")] = Path("var"),
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="every line: Celery's, beat's, HTTP's")
    ] = False,
) -> None:
    """Start everything: Redis if none answers, the sandbox if no credentials, API, worker, beat,
    the readers' bot."""
    from distributor.local.runner import run as run_stack

    if verbose:
        os.environ["DISTRIBUTOR_LOG_VERBOSE"] = "true"
        get_settings.cache_clear()
    raise typer.Exit(run_stack(get_settings(), var, typer.echo))


@cli.command()
def api() -> None:
    """Serve the HTTP API (port 8000 by default)."""
    from distributor.api.server import serve

    settings = get_settings()
    settings.check_secrets()
    serve(settings)


@cli.command()
def worker(
    queues: Annotated[str, typer.Option(help="comma-separated queues")] = "",
    concurrency: Annotated[
        int, typer.Option(help="pool processes (tasks mostly wait on HTTP: twice the cores)")
    ] = 4,
    pool: Annotated[str, typer.Option(help="prefork or threads")] = "prefork",
) -> None:
    """Run a Celery worker on the fan-out, delivery and maintenance queues."""
    _metrics_dir_for_exporter()
    from workers.app import worker_main

    settings = get_settings()
    settings.check_secrets()
    worker_main(settings, queues.split(",") if queues else None, concurrency, pool)


def _metrics_dir_for_exporter() -> None:
    """A worker serving its metrics needs prometheus-client's multiprocess mode, chosen by
    ``PROMETHEUS_MULTIPROC_DIR`` before prometheus-client is first imported: make a fresh
    directory when none is given."""
    if get_settings().metrics_port is not None and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="distributor-metrics-")


@cli.command()
def beat() -> None:
    """Run Celery beat (one per deployment): reconcile, scheduled moves, metrics, trending."""
    from workers.app import beat_main

    beat_main(get_settings())


@cli.command()
def sandbox(
    routing: Annotated[Path | None, typer.Option(help="create the chats this file names")] = None,
    port: Annotated[int, typer.Option(help="port")] = 8081,
    host: Annotated[str, typer.Option(help="interface")] = "127.0.0.1",
    flood_control: Annotated[bool, typer.Option(help="Telegram flood limits")] = True,
    chat: Annotated[
        list[str] | None, typer.Option(help="also create this chat (@name or id), repeatable")
    ] = None,
    access_log: Annotated[bool, typer.Option(help="a line per request")] = True,
) -> None:
    """Serve the Telegram Bot API + X API v2 sandbox (port 8081 by default)."""
    from distributor.sandbox.server import sandbox_config_for, serve

    config = sandbox_config_for(routing, flood_control=flood_control, extra_chats=chat or [])
    serve(host=host, port=port, config=config, access_log=access_log)
