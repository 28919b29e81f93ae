"""The Sandbox page (sandbox mode only): every chat and the X timeline drawn as the apps
would, refreshed while it is open, so the demo of ``distributor run`` can be watched."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.pages import fragment, render
from distributor.desk.post_view import sandbox_message_view, tweet_body
from distributor.desk.sandbox_feed import Feed, SandboxUnreachable
from distributor.desk.sessions import Manager
from distributor.manage.tokens import READ
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
Reader = Annotated[Manager, Depends(guard.needs(READ))]


def _feed(container: Container) -> tuple[Feed | None, str]:
    if not container.settings.sandbox:
        raise guard.DeskRefusal(404, "The Sandbox page exists in sandbox mode only.")
    try:
        return container.sandbox_feed.read(), ""
    except SandboxUnreachable as exc:
        return None, str(exc)


def _context(container: Container) -> dict[str, Any]:
    feed, problem = _feed(container)
    return {
        "feed": feed, "problem": problem, "message_view": sandbox_message_view,
        "tweet_body": tweet_body, "sandbox_url": container.settings.sandbox_url,
    }  # fmt: skip


@router.get("/sandbox", response_class=HTMLResponse)
def sandbox(request: Request, container: ContainerDep, manager: Reader) -> HTMLResponse:
    """The chats and the timeline as their apps would show them."""
    return render(request, "sandbox.html", manager, **_context(container))


@router.get("/sandbox/feed", response_class=HTMLResponse)
def sandbox_feed(request: Request, container: ContainerDep, manager: Reader) -> HTMLResponse:
    """The feed alone, for the page to swap in."""
    return fragment(request, "_sandbox_feed.html", manager, **_context(container))
