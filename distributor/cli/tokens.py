"""`distributor token create | list | revoke`: manager tokens, made on this machine's Redis
(whoever runs these can reach it, so they need no token); each change is audited as
``cli:<user>``. The plain token is printed once, at creation."""

from __future__ import annotations

import getpass
import json
import re
from typing import Annotated

import typer

from distributor.cli.app import AsJson, cli, container, fail
from distributor.errors import Refused

tokens = typer.Typer(no_args_is_help=True, help="Create, list and revoke manager tokens.")
cli.add_typer(tokens, name="token")
_DURATION = re.compile(r"^(\d+)([hd])$")


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def expiry(value: str) -> float | None:
    """``90d`` / ``12h`` in seconds, or None for ``never``; ValueError otherwise."""
    if value == "never":
        return None
    found = _DURATION.match(value)
    if found is None or int(found.group(1)) == 0:
        raise ValueError(value)
    return int(found.group(1)) * (86_400 if found.group(2) == "d" else 3600)


@tokens.command("create")
def create(
    name: str,
    scope: Annotated[
        list[str],
        typer.Option(help="reshare, deliveries:read, deliveries:resolve, audit:read (repeatable)"),
    ],
    expires: Annotated[str, typer.Option(help="90d, 12h or never")] = "90d",
    as_json: AsJson = False,
) -> None:
    """Make a token NAME with the scopes; prints it once (store it now: only its hash is kept)."""
    try:
        seconds = expiry(expires)
    except ValueError:
        fail(f"--expires {expires!r}: like 90d, 12h or never")
    with container() as c:
        try:
            plain, info = c.managers.create_token(_actor(), name, scope, seconds)
        except Refused as exc:
            fail(str(exc))
    if as_json:
        typer.echo(json.dumps({"token": plain, **info.model_dump(mode="json")}))
        return
    typer.echo(plain)
    expiry_text = info.expires_at.isoformat() if info.expires_at else "never"
    typer.echo(f"{info.name} ({' '.join(info.scopes)}), expires {expiry_text}; shown only now",
               err=True)  # fmt: skip


@tokens.command("list")
def list_tokens(as_json: AsJson = False) -> None:
    """Every token: name, scopes, status, expiry and last use (never the token)."""
    with container() as c:
        found = c.tokens.list()
    if as_json:
        typer.echo(json.dumps([t.model_dump(mode="json") for t in found]))
        return
    for t in found:
        expires = t.expires_at.isoformat()[:16] if t.expires_at else "never"
        used = t.last_used_at.isoformat()[:16] if t.last_used_at else "never"
        typer.echo(f"{t.id or '(env)':<13} {t.name:<20} {t.status:<8} expires {expires:<16} "
                   f"used {used:<16} {' '.join(t.scopes)}")  # fmt: skip


@tokens.command("revoke")
def revoke(name_or_id: str) -> None:
    """Revoke a token by name or id: it stops working at once."""
    with container() as c:
        try:
            info = c.managers.revoke_token(_actor(), name_or_id)
        except Refused as exc:
            fail(str(exc))
    typer.echo(f"revoked {info.name} ({info.id})")
