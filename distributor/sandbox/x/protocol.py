"""X API wire protocol: error bodies (v2 problems, v1.1 errors) and who is calling."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from distributor.errors import DistributorError

INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
NOT_FOUND = "https://api.twitter.com/2/problems/resource-not-found"
UNSUPPORTED_AUTH = "https://api.twitter.com/2/problems/unsupported-authentication"
_OAUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


class XApiError(DistributorError):
    """A refusal with X's status code, body and headers."""

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body
        self.headers = headers or {}


def problem(status: int, title: str, detail: str, type_: str = "about:blank") -> XApiError:
    """An RFC 7807 style v2 problem (401, 403, 429, 5xx)."""
    return XApiError(status, {"title": title, "detail": detail, "type": type_, "status": status})


def invalid_request(message: str, parameters: dict[str, list[str]] | None = None) -> XApiError:
    """A v2 400 ``Invalid Request`` with one error."""
    error: dict[str, Any] = {"message": message}
    if parameters is not None:
        error = {"parameters": parameters, **error}
    return XApiError(
        400,
        {
            "errors": [error],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": INVALID_REQUEST,
        },
    )


def v1_error(status: int, code: int, message: str) -> XApiError:
    """A v1.1 error body (media upload)."""
    return XApiError(status, {"errors": [{"code": code, "message": message}]})


def not_found(resource: str, parameter: str, value: str) -> dict[str, Any]:
    """One partial error for a missing tweet or user (answered with 200)."""
    return {
        "value": value,
        "detail": f"Could not find {resource} with {parameter}: [{value}].",
        "title": "Not Found Error",
        "resource_type": resource,
        "parameter": parameter,
        "resource_id": value,
        "type": NOT_FOUND,
    }


@dataclass(frozen=True)
class Caller:
    """The app, and the user when the call has user context (OAuth 1.0a)."""

    app: str
    user_id: str | None = None


def user_id_of(access_token: str) -> str:
    """X access tokens start with the user id (``<id>-<secret part>``); else a stable id."""
    head = access_token.split("-", 1)[0]
    if head.isdigit() and "-" in access_token:
        return str(int(head))
    return str(int(hashlib.sha256(access_token.encode()).hexdigest()[:14], 16))


def authenticate(header: str | None) -> Caller:
    """The caller named by ``Authorization``, or 401 ``Unauthorized``."""
    scheme, _, rest = (header or "").partition(" ")
    if scheme.lower() == "bearer" and rest.strip():
        return Caller(app=rest.strip())
    if scheme.lower() == "oauth":
        params = {k: unquote(v) for k, v in _OAUTH_PARAM.findall(rest)}
        key, token = params.get("oauth_consumer_key"), params.get("oauth_token")
        if key and token:
            return Caller(app=key, user_id=user_id_of(token))
    raise problem(401, "Unauthorized", "Unauthorized")


def require_user(caller: Caller) -> str:
    """The user id, or 403 for app-only authentication on a user-context endpoint."""
    if caller.user_id is None:
        raise problem(
            403,
            "Unsupported Authentication",
            "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  "
            "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
            UNSUPPORTED_AUTH,
        )
    return caller.user_id
