"""Sign in with a manager token, sign out, and the sandbox's one-click demo sign-in.

The sign-in form has no session yet, so its CSRF token is a random value in a short-lived
SameSite=Strict cookie that the form repeats (double submit). Failed sign-ins are counted per
client address: past ``MAX_FAILURES`` in ``FAILURE_WINDOW_S`` the form answers 429 without
looking at the token. Tokens are looked up through ``api.auth.lookup_token`` only.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from distributor.api.auth import lookup_token
from distributor.api.deps import ContainerDep
from distributor.desk import guard
from distributor.desk.pages import HEADERS, render
from distributor.desk.sessions import Manager
from distributor.manage.tokens import Principal
from distributor.wiring import Container

router = APIRouter(prefix="/manage", include_in_schema=False)
MAX_FAILURES = 10
FAILURE_WINDOW_S = 900
SIGNIN_FORM_S = 900


def _form_page(
    request: Request, next_path: str, status: int = 200, message: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(
        request, "sign_in.html", None, status=status, next_path=next_path, form_csrf=token,
        message=message, signed_out=request.query_params.get("signed_out") == "1",
    )  # fmt: skip
    guard.set_cookie(request, response, guard.SIGNIN_COOKIE, token, SIGNIN_FORM_S)
    return response


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, container: ContainerDep) -> Response:
    """The form (or straight back where the manager was going, if signed in already)."""
    next_path = guard.safe_next(request.query_params.get("next"))
    if guard.current(request, container) is not None:
        return RedirectResponse(next_path, 303, headers=HEADERS)
    return _form_page(request, next_path)


async def _checked_form(request: Request) -> dict[str, str]:
    """The sign-in form's fields, once its size and double-submit CSRF token check out."""
    await guard.check_form(request, request.cookies.get(guard.SIGNIN_COOKIE) or "")
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


SignInForm = Annotated[dict[str, str], Depends(_checked_form)]


def _signed_in(request: Request, container: Container, principal: Principal, next_path: str,
               demo: bool = False) -> Response:  # fmt: skip
    session_id, _ = container.desk_sessions.start(
        principal.name, principal.scopes, principal.token_id, demo
    )
    response = RedirectResponse(guard.safe_next(next_path), 303, headers=HEADERS)
    guard.set_cookie(
        request, response, guard.COOKIE, session_id, container.settings.desk_session_max_s
    )
    response.delete_cookie(guard.SIGNIN_COOKIE, path="/manage")
    return response


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, container: ContainerDep, form: SignInForm) -> Response:
    """Check the token; a session for it, or the form again saying what was wrong."""
    next_path = guard.safe_next(form.get("next"))
    client = request.client.host if request.client else "unknown"
    failures_key = container.keys.desk_signin_failures(client)
    if int(container.redis.get(failures_key) or 0) >= MAX_FAILURES:
        message = "Too many failed sign-ins from this address; wait 15 minutes."
        return _form_page(request, next_path, 429, message)
    token = lookup_token(container, form.get("token", "").strip())
    if token is None:
        pipe = container.redis.pipeline(transaction=False)
        pipe.incr(failures_key)
        pipe.expire(failures_key, FAILURE_WINDOW_S, nx=True)
        pipe.execute()
        return _form_page(request, next_path, 401, "That token is not valid.")
    return _signed_in(request, container, token, next_path)


@router.post("/demo-sign-in", response_class=HTMLResponse)
def demo_sign_in(request: Request, container: ContainerDep, form: SignInForm) -> Response:
    """Sandbox mode only: a session for the demo manager, with every desk scope."""
    if not container.settings.sandbox:
        raise guard.DeskRefusal(404, "The demo sign-in exists in sandbox mode only.")
    demo = Principal("demo", guard.DEMO_SCOPES)
    return _signed_in(request, container, demo, form.get("next", ""), demo=True)


@router.post("/sign-out")
def sign_out(
    request: Request,
    container: ContainerDep,
    _manager: Annotated[Manager, Depends(guard.posting(None))],
) -> Response:
    """End the session; its cookie signs no one in any more."""
    container.desk_sessions.end(request.cookies.get(guard.COOKIE, ""))
    response = RedirectResponse("/manage/sign-in?signed_out=1", 303, headers=HEADERS)
    response.delete_cookie(guard.COOKIE, path="/manage")
    return response
