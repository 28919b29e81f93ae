"""Scoped bearer tokens for the management routes (``manage/tokens.py``): 401 without a valid
one (missing, unknown, expired, revoked), 403 without the scope (audited under the token's
name), 429 past a token's request rate."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from distributor.api.deps import ContainerDep
from distributor.errors import Refused
from distributor.manage.tokens import Principal
from distributor.publishing.ratelimit import Limit
from distributor.wiring import Container

_bearer = HTTPBearer(
    auto_error=False, description="A manager token (`distributor token create`, docs/managers.md)"
)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
PER_TOKEN_INTERVAL_S, PER_TOKEN_BURST = 0.1, 30  # 10 requests/s on average, 30 at once


def lookup_token(container: Container, presented: str) -> Principal | None:
    """The manager token ``presented`` names, if it is valid now: the desk's sign-in looks
    tokens up here, with the same store as the bearer routes."""
    try:
        return container.tokens.authenticate(presented)
    except Refused:
        return None


def require_scope(scope: str) -> Callable[..., Principal]:
    """A dependency that admits a bearer token granting ``scope``: 401 without a valid one,
    403 without the scope, 429 when the token sends faster than ``PER_TOKEN_INTERVAL_S``."""

    def dependency(
        request: Request,
        container: ContainerDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        if credentials is None:
            raise HTTPException(
                401, "missing bearer token (Authorization: Bearer <token>)", _CHALLENGE
            )
        try:
            principal = container.tokens.authenticate(credentials.credentials)
        except Refused as exc:
            raise HTTPException(401, str(exc), _CHALLENGE) from None
        if scope not in principal.scopes:
            where = f"{request.method} {request.url.path}"
            container.audit.append(principal.name, "access", where, "forbidden", f"lacks {scope}")
            raise HTTPException(403, f"token {principal.name!r} lacks the scope {scope!r}")
        limit = Limit(f"api:token:{principal.name}", PER_TOKEN_INTERVAL_S, PER_TOKEN_BURST)
        wait = container.governor.acquire((limit,))
        if wait > 0:
            retry = {"Retry-After": str(math.ceil(wait))}
            raise HTTPException(429, f"token {principal.name!r} sends too fast", retry)
        return principal

    return dependency
