"""Rendering a desk page: the Jinja templates beside this module, the navigation the token may
use, times in the newsroom's zone, and the headers every page carries (no caching, a strict
Content-Security-Policy: scripts and styles from /manage/static only)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from distributor.desk import guard
from distributor.desk.sessions import Manager
from distributor.manage.tokens import AUDIT, READ, READERS, RESHARE
from distributor.wiring import Container

HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:;"
        " connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# (path, label, scope needed, sandbox only)
NAV = (
    ("/manage", "Today", READ, False),
    ("/manage/attention", "Attention", READ, False),
    ("/manage/trending", "Trending", None, False),
    ("/manage/calendar", "Calendar", RESHARE, False),
    ("/manage/readers", "Readers", READERS, False),
    ("/manage/audit", "Audit", AUDIT, False),
    ("/manage/sandbox", "Sandbox", READ, True),
)

_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def local_time(value: datetime | float | None, zone: str, fmt: str = "%d %b %Y %H:%M") -> str:
    """A time (aware datetime or Unix seconds) in the newsroom's zone; "—" for none."""
    if value is None:
        return "—"
    at = value if isinstance(value, datetime) else datetime.fromtimestamp(value, UTC)
    return at.astimezone(ZoneInfo(zone)).strftime(fmt)


def _context(request: Request, manager: Manager | None) -> dict[str, Any]:
    container: Container = request.app.state.container
    settings = container.settings
    nav = [
        (path, label, path == request.url.path)
        for path, label, scope, sandbox_only in NAV
        if manager is not None
        and (scope is None or manager.can(scope))
        and (settings.sandbox or not sandbox_only)
    ]
    return {
        "request": request,
        "manager": manager,
        "csrf": manager.csrf if manager else "",
        "nav": nav,
        "sandbox": settings.sandbox,
        "zone": settings.timezone,
        "when": lambda value, fmt="%d %b %Y %H:%M": local_time(value, settings.timezone, fmt),
    }


def render(
    request: Request,
    template: str,
    manager: Manager | None,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page ``template`` with the shared context (manager, CSRF token, navigation)."""
    html = _env.get_template(template).render(**_context(request, manager), **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def fragment(request: Request, template: str, manager: Manager, **context: Any) -> HTMLResponse:
    """A piece of a page (the rows a live page swaps in), without the layout."""
    html = _env.get_template(template).render(**_context(request, manager), **context)
    return HTMLResponse(html, headers=HEADERS)


def back(request: Request, to: str, message: str, *, refused: bool = False) -> RedirectResponse:
    """After a POST: leave ``message`` (its lines; ``refused``: shown as a refusal) for the
    session's next page and send the browser to ``to`` (303, so a reload does not post again)."""
    container: Container = request.app.state.container
    cookie = request.cookies.get(guard.COOKIE, "")
    container.desk_sessions.flash(cookie, message, refused=refused)
    return RedirectResponse(to, 303, headers=HEADERS)
