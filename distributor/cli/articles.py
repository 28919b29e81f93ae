"""Commands about articles: publish one, watch the site for missed ones, preview one, show its
deliveries, the trending list."""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from distributor.cli.app import AsJson, EventKind, cli, container, fail, routing_path
from distributor.config import get_settings
from distributor.errors import DistributorError


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
        fail(f"cannot reach the API at {base}: {exc}")
    typer.echo(resp.text)
    if resp.status_code >= 400:
        raise typer.Exit(1)


def _event_body(file: Path, kind: str) -> bytes:
    try:
        data: dict[str, Any] = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{file}: {exc}")
    if "article" not in data:
        data = {"type": f"article.{kind}", "article": data}
    return json.dumps(data, ensure_ascii=False).encode()


@cli.command()
def preview(
    file: Path,
    as_json: AsJson = False,
) -> None:
    """Render the article in FILE for the default destinations without posting anything."""
    from distributor.formatting import FormatOptions
    from distributor.formatting.render import build_preview
    from distributor.models import Article
    from distributor.publishing.routing.loader import load_routing

    settings = get_settings()
    try:
        article = Article.model_validate_json(file.read_bytes())
        table = load_routing(routing_path(settings))
        result = build_preview(
            article, table.preview_order(), FormatOptions.from_settings(settings)
        )
    except (OSError, ValueError, DistributorError) as exc:
        fail(str(exc))
    typer.echo(json.dumps(result, ensure_ascii=False, indent=None if as_json else 2))


@cli.command()
def status(
    article_id: Annotated[str | None, typer.Argument(help="an article id")] = None,
    as_json: AsJson = False,
) -> None:
    """Show each destination's delivery state for one article (reads the ledger), and any X
    account whose posts are held for its budget (how many, until when, why)."""
    with container() as c:
        deliveries = c.ledger.list_deliveries(article_id) if article_id else []
        holds = c.x_budget.holds()
    rows = [d.model_dump(mode="json") for d in deliveries]
    held = [{"account": h.scope, "held": h.held, "until": h.until, "why": h.why} for h in holds]
    if as_json:
        out = {"article_id": article_id, "deliveries": rows, "held": held}
        typer.echo(json.dumps(out, ensure_ascii=False))
        return
    for row in rows:
        ids = ",".join(row["message_ids"]) or "-"
        line = f"{row['destination']:<16} r{row['revision']:<4} {row['state']:<9} {ids}"
        if row["state"] in ("skipped", "failed", "in_doubt") and row["error"]:
            line += f"  ({row['error']})"
        typer.echo(line)
    for hold in holds:
        typer.secho(f"X posts held: {hold.describe()}", fg="yellow")
    if not rows and not holds:
        typer.echo("no X posts held" if article_id is None else f"no deliveries of {article_id}")


@cli.command()
def trending(
    window: Annotated[str, typer.Option(help="now, today or week")] = "now",
    category: Annotated[str | None, typer.Option(help="one category's board")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
    as_json: AsJson = False,
) -> None:
    """Print the trending list as the site's popular sidebar shows it."""
    from distributor.audience.sidebar import popular

    with container() as c:
        try:
            items = popular(
                c.trending, c.articles, c.shares, window=window, category=category, limit=limit
            )
        except (KeyError, ValueError) as exc:
            fail(f"no such board: {exc}")
    if as_json:
        rows = [{"id": i.article_id, "title": i.title, "url": i.url, "label": i.label,
                 "score": i.score} for i in items]  # fmt: skip
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not items:
        board = f"the {window!r} board" + (f" of category {category!r}" if category else "")
        typer.echo(
            f"Nothing is trending on {board} yet. Articles get there as readers view and share\n"
            "them (POST /v1/articles/{id}/views, the /s/{id}/{network} share links) and as their\n"
            "posts on X gather engagement; scores decay with time (half-life "
            f"{get_settings().trending_half_life_h:g} h for 'now').\n"
            "Other boards: --window today|week."
        )
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
    from distributor.intake.watcher import watch as watch_site

    with container() as c:
        raise typer.Exit(watch_site(c, once=once, since=since, echo=typer.echo))
