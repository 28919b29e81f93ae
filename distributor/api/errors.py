"""One error shape for every refusal: ``{"error": {"code": ..., "message": ...}}``.

A 4xx says what is wrong with the request; a 5xx says only what the client can do (its
details, such as internal addresses, go to the log: docs/security.md).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from redis import RedisError
from starlette.exceptions import HTTPException

from distributor.errors import InvalidInput, Refused
from distributor.intake.adapters import describe_errors
from distributor.intake.service import EnqueueFailed

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}
UNAVAILABLE = "a service this API depends on is unavailable; try again later"
log = logging.getLogger(__name__)


def error_response(
    status: int,
    message: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    """The JSON error body for ``status`` (code derived from it), plus any ``extra`` fields."""
    body = {"error": {"code": ERROR_CODES.get(status, "error"), "message": message}}
    return JSONResponse({**body, **(extra or {})}, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Route every refusal through ``error_response``."""
    app.add_exception_handler(InvalidInput, _invalid_input)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(EnqueueFailed, _unavailable)
    app.add_exception_handler(RedisError, _unavailable)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(Exception, _internal)


async def _invalid_input(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, InvalidInput)
    return error_response(exc.status_code, str(exc))


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, Refused)
    extra = None if exc.details is None else {"details": jsonable_encoder(exc.details)}
    return error_response(exc.status_code, str(exc), extra=extra)


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{**err, "loc": _locate(tuple(err["loc"]))} for err in exc.errors()]
    return error_response(422, describe_errors(errors))


def _locate(loc: tuple[object, ...]) -> tuple[object, ...]:
    """``("path", "article_id")`` → ``("path parameter article_id",)``; body fields as they are."""
    if not loc:
        return loc
    source, rest = loc[0], ".".join(str(p) for p in loc[1:])
    if source == "body":
        return loc[1:] or ("body",)
    if source in ("query", "path", "header", "cookie"):
        return (f"{source} parameter {rest}",)
    return loc


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), exc.headers)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("%s %s: 503: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
    return error_response(503, UNAVAILABLE)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's last resort (it re-raises afterwards, so the server logs the traceback)."""
    return error_response(500, "internal error; the details are in the service's log")
