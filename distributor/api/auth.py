"""Scoped bearer tokens for the management routes; tokens are compared in constant time."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from distributor.api.deps import ContainerDep
from distributor.config import ApiToken
from distributor.wiring import Container

_bearer = HTTPBearer(auto_error=False, description="A manager token from DISTRIBUTOR_TOKENS")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def find_token(tokens: list[ApiToken], presented: str) -> ApiToken | None:
    """The configured token equal to ``presented``; every token is compared, in constant time."""
    found = None
    candidate = presented.encode()
    for token in tokens:
        if hmac.compare_digest(token.token.get_secret_value().encode(), candidate):
            found = token
    return found


def lookup_token(container: Container, presented: str) -> ApiToken | None:
    """The manager token ``presented`` names, if any: the one place the API and the desk's
    sign-in look tokens up (the token store changes here, nowhere else)."""
    return find_token(container.settings.tokens, presented)


def require_scope(scope: str) -> Callable[..., ApiToken]:
    """A dependency that admits a bearer token granting ``scope``: 401 without one, else 403."""

    def dependency(
        container: ContainerDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiToken:
        if credentials is None:
            raise HTTPException(
                401, "missing bearer token (Authorization: Bearer <token>)", _CHALLENGE
            )
        token = lookup_token(container, credentials.credentials)
        if token is None:
            raise HTTPException(401, "invalid bearer token", _CHALLENGE)
        if scope not in token.scopes:
            raise HTTPException(403, f"token {token.name!r} lacks the scope {scope!r}")
        return token

    return dependency
