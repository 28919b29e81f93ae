"""The `distributor` command: run the service or one of its parts, publish, preview, inspect."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from distributor.config import Settings, get_settings
from distributor.errors import DistributorError

cli = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)

EventKind = Annotated[str, typer.Option("--type", help="published, updated or unpublished")]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg="red", err=True)
    raise typer.Exit(2)


@cli.command()
def run(
    var: Annotated[Path, typer.Option(help="data folder (embedded Redis)")] = Path("var"),
) -> None:
    """Start everything: Redis if none answers, the sandbox if no credentials, API, worker, beat."""
    from distributor.runner import run as run_stack

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
    from workers.main import worker_main

    settings = get_settings()
    settings.check_secrets()
    worker_main(settings, queues.split(",") if queues else None, concurrency, pool)


@cli.command()
def beat() -> None:
    """Run Celery beat (one per deployment): reconcile, scheduled moves, metrics, trending."""
    from workers.main import beat_main

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
) -> None:
    """Serve the Telegram Bot API + X API v2 sandbox (port 8081 by default)."""
    from distributor.sandbox.server import sandbox_config_for, serve

    config = sandbox_config_for(routing, flood_control=flood_control, extra_chats=chat or [])
    serve(host=host, port=port, config=config)


@cli.command()
def publish(
    file: Path,
    kind: EventKind = "published",
    api_url: Annotated[str | None, typer.Option(help="API base URL")] = None,
) -> None:
    """Sign and post an event for the article (or event) in FILE to the API."""
    from distributor.intake.signature import sign

    settings = get_settings().auto_sandbox()
    body = _event_body(file, kind)
    stamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "X-Distributor-Signature": sign(body, settings.webhook_secret_value(), stamp),
    }
    base = api_url or f"http://{settings.api_host}:{settings.api_port}"
    try:
        resp = httpx.post(f"{base}/v1/events", content=body, headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        _fail(f"cannot reach the API at {base}: {exc}")
    typer.echo(resp.text)
    if resp.status_code >= 400:
        raise typer.Exit(1)


def _event_body(file: Path, kind: str) -> bytes:
    try:
        data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        _fail(f"{file}: {exc}")
    if "article" not in data:
        data = {"type": f"article.{kind}", "article": data}
    return json.dumps(data, ensure_ascii=False).encode()


@cli.command()
def preview(
    file: Path,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Render the article in FILE for the default destinations without posting anything."""
    from distributor.formatting import FormatOptions
    from distributor.formatting.preview import build_preview
    from distributor.models import Article
    from distributor.routing_file import load_routing

    settings = get_settings()
    try:
        article = Article.model_validate_json(file.read_bytes())
        table = load_routing(_routing_path(settings))
        result = build_preview(
            article, table.preview_order(), FormatOptions.from_settings(settings)
        )
    except (OSError, ValueError, DistributorError) as exc:
        _fail(str(exc))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


def _routing_path(settings: Settings) -> Path:
    from distributor.runner import EXAMPLE_ROUTING

    return settings.routing_file if settings.routing_file.exists() else EXAMPLE_ROUTING


@cli.command()
def status(
    article_id: str,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Show each destination's delivery state for one article (reads the ledger)."""
    from redis import Redis

    from distributor.keys import Keys
    from distributor.ledger import Ledger

    settings = get_settings()
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    ledger = Ledger(redis, Keys(settings.namespace))
    rows = [d.model_dump(mode="json") for d in ledger.list_deliveries(article_id)]
    if as_json:
        typer.echo(json.dumps({"article_id": article_id, "deliveries": rows}, ensure_ascii=False))
        return
    for row in rows:
        ids = ",".join(row["message_ids"]) or "-"
        typer.echo(f"{row['destination']:<16} r{row['revision']:<4} {row['state']:<9} {ids}")


@cli.command()
def trending(
    window: Annotated[str, typer.Option(help="now, today or week")] = "now",
    category: Annotated[str | None, typer.Option(help="one category's board")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Print the trending list as the site's popular sidebar shows it."""
    from redis import Redis

    from distributor.articles import ArticleStore
    from distributor.keys import Keys
    from distributor.popular import popular
    from distributor.shares import ShareTracker
    from distributor.trending import Trending, TrendingConfig

    settings = get_settings()
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    keys = Keys(settings.namespace)
    board = Trending(redis, keys, TrendingConfig.from_settings(settings))
    try:
        items = popular(
            board, ArticleStore(redis, keys), ShareTracker(redis, keys, board),
            window=window, category=category, limit=limit,
        )  # fmt: skip
    except (KeyError, ValueError) as exc:
        _fail(f"no such board: {exc}")
    if as_json:
        rows = [{"id": i.article_id, "title": i.title, "url": i.url, "label": i.label,
                 "score": i.score} for i in items]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    for rank, item in enumerate(items, 1):
        typer.echo(f"{rank:>2}. {item.title}\n    {item.label}  {item.url}")


@cli.command()
def watch(
    once: Annotated[bool, typer.Option("--once", help="one pass, print its report, exit")] = False,
    since: Annotated[
        datetime | None,
        typer.Option(help="where the first pass starts when no cursor is stored (UTC)"),
    ] = None,
) -> None:
    """Poll the WordPress site (DISTRIBUTOR_WATCH_URL) for posts its webhook missed."""
    from distributor.api.server import CeleryEnqueue, build_services
    from distributor.intake.watcher import watch as watch_site

    services = build_services(get_settings())
    try:
        raise typer.Exit(watch_site(services, once=once, since=since, echo=typer.echo))
    finally:
        if isinstance(services.enqueue, CeleryEnqueue):
            services.enqueue.close()
        services.redis.close()


def main() -> None:
    """Entry point of the `distributor` command."""
    try:
        cli()
    except DistributorError as exc:
        typer.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(2)
