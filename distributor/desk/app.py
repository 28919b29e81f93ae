"""Mounting the desk on the API: its routers, its static files, its refusals as pages, and a
``Server-Timing`` header on every desk response (the server's own time, read by the bench)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from distributor.desk import (
    article,
    attention,
    guard,
    reports,
    reshares,
    sandbox_page,
    signin,
    today,
    trending_page,
)
from distributor.desk.pages import HEADERS, render

STATIC = Path(__file__).with_name("static")


def install_desk(app: FastAPI) -> None:
    """Serve the desk under /manage from ``app`` (its clients come from the app's container)."""
    for module in (signin, today, article, attention, trending_page, sandbox_page, reshares,
                   reports):  # fmt: skip
        app.include_router(module.router)
    app.mount("/manage/static", StaticFiles(directory=STATIC), name="desk-static")
    app.add_exception_handler(guard.DeskRefusal, _refused)
    app.add_exception_handler(guard.SignInRequired, _sign_in_first)
    app.add_middleware(ServerTiming)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, guard.DeskRefusal)
    manager = guard.current(request, request.app.state.container)
    return render(
        request, "refused.html", manager, status=exc.status, message=str(exc), code=exc.status
    )


async def _sign_in_first(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, guard.SignInRequired)
    if request.method != "GET" or request.url.path.endswith(("/rows", "/feed")):
        message = "You are not signed in (or your session ended)."
        return render(request, "refused.html", None, status=401, message=message, code=401)
    target = f"/manage/sign-in?next={quote(exc.next_path, safe='')}"
    return RedirectResponse(target, 303, headers=HEADERS)


class ServerTiming:
    """ASGI middleware: ``Server-Timing: app;dur=<ms>`` on /manage responses; every other
    request passes straight through (the share links' hot path pays one string test)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/manage"):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                headers = MutableHeaders(scope=message)
                headers.append("Server-Timing", f"app;dur={ms:.1f}")
            await send(message)

        await self.app(scope, receive, timed)
