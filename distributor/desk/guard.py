"""Who may see and do what on the desk: the session cookie, scopes, CSRF, form size.

Every page depends on ``needs(scope)``: no live session, or one whose token no longer stands as
it did at sign-in → redirect to sign-in; a token that lacks the scope → 403, audited as the
API's refusals are. Every POST depends on ``posting(scope)``, which also bounds the body and
checks the form's ``csrf_token`` against the session's (constant time). The templates hide
controls the token cannot use; these checks are what refuse them.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from distributor.api.deps import ContainerDep
from distributor.desk.sessions import Manager
from distributor.errors import DistributorError
from distributor.manage.tokens import SCOPES
from distributor.wiring import Container

COOKIE = "desk_session"
SIGNIN_COOKIE = "desk_signin"  # the sign-in form's CSRF token, before there is a session
MAX_FORM_BYTES = 16 * 1024

# pages check the API's own scopes, named in manage/tokens.py (docs/managers.md, "Tokens")
DEMO_SCOPES = SCOPES  # the sandbox's demo manager may do everything


class DeskRefusal(DistributorError):
    """A desk request refused; shown as a page with the status and the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class SignInRequired(DistributorError):
    """No live session: the page sends the browser to sign in, then back to ``next_path``."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path


def safe_next(path: str | None) -> str:
    """A same-site path under /manage to return to after sign-in, else the Today page (never
    an absolute or scheme-relative URL: no open redirect)."""
    if path and path.startswith("/manage") and not path.startswith("//") and "\\" not in path:
        return path
    return "/manage"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    """An HttpOnly, SameSite=Strict cookie for /manage; Secure when served over HTTPS."""
    response.set_cookie(
        name, value, max_age=max_age, path="/manage", httponly=True, samesite="strict",
        secure=request.url.scheme == "https",
    )  # fmt: skip


def current(request: Request, container: Container) -> Manager | None:
    """The manager of this request's session, if it is live and its token still stands as it
    did at sign-in (not revoked, expired or given other scopes: then the session ends)."""
    session_id = request.cookies.get(COOKIE)
    manager = container.desk_sessions.find(session_id) if session_id else None
    if manager is None or session_id is None:
        return None
    if manager.demo:
        standing = container.settings.sandbox
    else:
        standing = container.tokens.still_grants(manager.name, manager.token_id, manager.scopes)
    if not standing:
        container.desk_sessions.end(session_id)
        return None
    return manager


def signed_in(request: Request, container: ContainerDep) -> Manager:
    """The manager of this request's session, else ``SignInRequired``."""
    manager = current(request, container)
    if manager is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise SignInRequired(request.url.path + query)
    return manager


SignedIn = Annotated[Manager, Depends(signed_in)]


def _refuse_without(request: Request, container: Container, manager: Manager, scope: str) -> None:
    """403 unless the token grants ``scope``; a refusal is audited as the API's are (``access``,
    ``forbidden``, under the token's name)."""
    if manager.can(scope):
        return
    where = f"{request.method} {request.url.path}"
    container.audit.append(manager.name, "access", where, "forbidden", f"lacks {scope}")
    raise DeskRefusal(403, f"The token “{manager.name}” lacks the scope “{scope}”.")


def needs(scope: str | None) -> Callable[[Request, Container, Manager], Manager]:
    """A page dependency: a signed-in manager whose token grants ``scope`` (None: any)."""

    def dependency(request: Request, container: ContainerDep, manager: SignedIn) -> Manager:
        if scope is not None:
            _refuse_without(request, container, manager, scope)
        return manager

    return dependency


def posting(scope: str | None) -> Callable[[Request, Container, Manager], Awaitable[Manager]]:
    """A POST dependency: ``needs(scope)``, a bounded form body and the session's CSRF token."""
    allowed = needs(scope)

    async def dependency(request: Request, container: ContainerDep, manager: SignedIn) -> Manager:
        await check_form(request, manager.csrf)
        return allowed(request, container, manager)

    return dependency


async def check_form(request: Request, expected: str) -> None:
    """Refuse a form over ``MAX_FORM_BYTES`` (413) or without the right ``csrf_token`` (403)."""
    declared = request.headers.get("content-length", "")
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        raise DeskRefusal(413, f"A form must declare its length, at most {MAX_FORM_BYTES} bytes.")
    form = await request.form(max_files=0, max_fields=50)
    presented = form.get("csrf_token")
    if not isinstance(presented, str) or not presented:
        raise DeskRefusal(403, "The form carried no CSRF token; reload the page and try again.")
    if not hmac.compare_digest(presented.encode(), expected.encode()):
        raise DeskRefusal(403, "The form's CSRF token is wrong; reload the page and try again.")
