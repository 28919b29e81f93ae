"""Managers' commands over the API (reshare, reshares, retry, audit), with the token in
``DISTRIBUTOR_TOKEN``; in sandbox mode (the demo of `distributor run`) a short-lived token is
made for the call, so nothing needs setting up, as for `distributor publish`."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import httpx
import typer

from distributor.cli.app import AsJson, cli, fail
from distributor.config import Settings, get_settings

ApiUrl = Annotated[str | None, typer.Option("--api-url", help="API base URL")]
_RELATIVE = re.compile(r"^\+(\d+)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
SANDBOX_TOKEN_S = 600


def when(value: str, tz: ZoneInfo, now: datetime | None = None) -> datetime:
    """``+90s`` / ``+15m`` / ``+2h`` / ``+1d`` from now, or an ISO 8601 time (one without a
    zone is the newsroom's); ValueError otherwise."""
    relative = _RELATIVE.match(value.strip())
    if relative:
        amount, unit = int(relative.group(1)), relative.group(2)
        return (now or datetime.now(tz)) + timedelta(seconds=amount * _UNITS[unit])
    parsed = datetime.fromisoformat(value.strip())
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def call(
    method: str, path: str, api_url: str | None, body: Any = None,
    params: dict[str, Any] | None = None,
) -> Any:  # fmt: skip
    """One API call with the manager token; prints the error and exits 1 on a refusal."""
    settings = get_settings().auto_sandbox()
    base = api_url or f"http://{settings.api_host}:{settings.api_port}"
    headers = {"Authorization": f"Bearer {_token(settings)}"}
    try:
        resp = httpx.request(
            method, f"{base}{path}", json=body, params=params, headers=headers, timeout=15
        )
    except httpx.HTTPError as exc:
        fail(f"cannot reach the API at {base}: {exc}")
    data = resp.json() if resp.content else None
    if resp.status_code >= 400:
        message = (data or {}).get("error", {}).get("message", resp.text)
        typer.secho(f"refused ({resp.status_code}): {message}", fg="red", err=True)
        for target in (data or {}).get("details") or []:
            typer.echo(_target_line(target), err=True)
        raise typer.Exit(1)
    return data


def _token(settings: Settings) -> str:
    """DISTRIBUTOR_TOKEN, else (sandbox only) a token made now that expires in minutes."""
    if settings.token is not None and settings.token.get_secret_value():
        return settings.token.get_secret_value()
    if not settings.sandbox:
        fail("set DISTRIBUTOR_TOKEN to a manager token (`distributor token create`)")
    from redis import Redis

    from distributor.keys import Keys
    from distributor.manage.tokens import SCOPES, TokenStore

    with Redis.from_url(settings.redis_url, decode_responses=True) as redis:
        store = TokenStore(redis, Keys(settings.namespace))
        plain, _ = store.create("sandbox-cli", sorted(SCOPES), created_by="sandbox-cli",
                                expires_in_s=SANDBOX_TOKEN_S, ephemeral=True)  # fmt: skip
    return plain


def _target_line(t: dict[str, Any]) -> str:
    at = f" at {t['at']}" if t.get("at") else ""
    until = f" (until {t['cooldown_until']})" if t.get("cooldown_until") else ""
    note = f": {t['note']}" if t.get("note") else ""
    return f"  {t['destination']:<14} {t['status']:<10}{at}{note}{until}"


@cli.command()
def reshare(
    article_id: Annotated[str | None, typer.Argument(help="the article to reshare")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="a destination (repeatable)")] = None,
    at: Annotated[str | None, typer.Option(help="ISO 8601 time, or +90s / +2h")] = None,
    text: Annotated[str | None, typer.Option(help="a line that leads the post")] = None,
    force: Annotated[bool, typer.Option(help="skip the cooldown")] = False,
    cancel: Annotated[str | None, typer.Option(help="cancel this reshare id instead")] = None,
    as_json: AsJson = False,
    api_url: ApiUrl = None,
) -> None:
    """Reshare an article now or later (where it is live, or --to), or --cancel a reshare."""
    if cancel is not None:
        data = call("DELETE", f"/v1/reshares/{cancel}", api_url)
        _show(data, as_json)
        return
    if article_id is None:
        fail("give an ARTICLE_ID to reshare, or --cancel ID")
    body: dict[str, Any] = {"force": force}
    if to:
        body["destinations"] = to
    if text is not None:
        body["text"] = text
    if at is not None:
        try:
            body["at"] = when(at, ZoneInfo(get_settings().timezone)).isoformat()
        except ValueError:
            fail(f"--at {at!r}: an ISO 8601 time or +90s / +15m / +2h / +1d")
    data = call("POST", f"/v1/articles/{article_id}/reshares", api_url, body)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(f"{data['id']}  {data['article_id']}")
    for target in data["destinations"]:
        typer.echo(_target_line(target))


@cli.command()
def reshares(
    start: Annotated[str | None, typer.Option("--from", help="ISO 8601 or +2h")] = None,
    end: Annotated[str | None, typer.Option("--to", help="ISO 8601 or +2h")] = None,
    as_json: AsJson = False,
    api_url: ApiUrl = None,
) -> None:
    """The reshare calendar: scheduled, sent, failed and cancelled, earliest first."""
    tz = ZoneInfo(get_settings().timezone)
    params = {}
    for name, value in (("from", start), ("to", end)):
        if value is not None:
            try:
                params[name] = when(value, tz).isoformat()
            except ValueError:
                fail(f"--{name} {value!r}: an ISO 8601 time or +2h")
    data = call("GET", "/v1/reshares", api_url, params=params)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    for item in data["reshares"]:
        _show(item, False)


def _show(item: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(item, ensure_ascii=False))
        return
    source = "" if item["source"] == "manager" else f" [{item['source']}]"
    typer.echo(f"{item['id']}  {item['article_id']}  by {item['created_by']}{source}")
    for target in item["targets"]:
        typer.echo(_target_line(target))


@cli.command()
def retry(
    ref: Annotated[
        str | None,
        typer.Argument(help="ARTICLE/DESTINATION/REVISION or RESHARE_ID/DESTINATION; none: list"),
    ] = None,
    as_json: AsJson = False,
    api_url: ApiUrl = None,
) -> None:
    """List failed deliveries with the platform's reason, or send one (REF) again."""
    if ref is None:
        rows = call("GET", "/v1/deliveries/failed", api_url)
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            d = row["delivery"]
            where = f"{d['reshare']}/{d['destination']}" if d["reshare"] else (
                f"{d['article_id']}/{d['destination']}/{d['revision']}")  # fmt: skip
            typer.echo(f"{where:<40} {d['error'] or ''}")
        return
    parts = ref.strip("/").split("/")
    if len(parts) == 2 and parts[0].startswith("rs_"):
        path = f"/v1/reshares/{parts[0]}/deliveries/{parts[1]}/retry"
    elif len(parts) == 3 and parts[2].isdigit():
        path = f"/v1/articles/{parts[0]}/deliveries/{parts[1]}/{parts[2]}/retry"
    else:
        fail(f"{ref!r}: ARTICLE/DESTINATION/REVISION or RESHARE_ID/DESTINATION")
    data = call("POST", path, api_url)
    typer.echo(json.dumps(data, ensure_ascii=False) if as_json else f"{ref}: {data['state']}")


@cli.command()
def audit(
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    actor: Annotated[str | None, typer.Option(help="one token name")] = None,
    action: Annotated[str | None, typer.Option(help="e.g. reshare.create, or reshare.")] = None,
    as_json: AsJson = False,
    api_url: ApiUrl = None,
) -> None:
    """Who did what, when, with what outcome (newest first)."""
    params = {"limit": limit, "actor": actor, "action": action}
    data = call("GET", "/v1/audit", api_url, params={k: v for k, v in params.items() if v})
    if as_json:
        typer.echo(json.dumps(data["entries"], ensure_ascii=False))
        return
    for e in data["entries"]:
        typer.echo(f"{e['at'][:19]}  {e['actor']:<16} {e['action']:<17} {e['outcome']:<9} "
                   f"{e['target']}  {e['detail']}")  # fmt: skip


@cli.command()
def evergreen(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="show, take nothing")] = False,
    slots: Annotated[int, typer.Option(min=1, max=50, help="picks to show")] = 5,
) -> None:
    """Evergreen rotation: each destination's state, next picks and why (--dry-run), or take
    the slots due now as beat does each minute."""
    from distributor.cli.app import container

    with container() as c:
        decisions = c.evergreen.dry_run(slots) if dry_run else c.evergreen.tick()
        tz = ZoneInfo(c.settings.timezone)
    if not decisions:
        typer.echo("no destination has an [evergreen.<destination>] table in the routing file")
    for d in decisions:
        typer.echo(f"{d.destination}: {d.state}: {d.reason}")
        for at, article_id in d.upcoming:
            typer.echo(f"  next  {datetime.fromtimestamp(at, tz):%Y-%m-%d %H:%M %Z}  {article_id}")
        for candidate in d.ranked[: slots * 2]:
            r = candidate.record
            record = (f"score {r.score:>6} (clicks {r.clicks}, shares {r.shares}, engagement "
                      f"{r.engagement})  eligible")  # fmt: skip
            typer.echo(f"  {candidate.article_id:<28} {candidate.excluded or record}")
