"""X API v2 routes (``/2/...``, media upload included) and the v1.1 media upload, with auth,
windows and faults."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from distributor.sandbox.faults import FaultSpec
from distributor.sandbox.state import Sandbox
from distributor.sandbox.x import media as x_media
from distributor.sandbox.x import ops as x_ops
from distributor.sandbox.x.protocol import Caller, XApiError, authenticate, invalid_request, problem

log = logging.getLogger(__name__)
Operation = Callable[[Caller, Request], Awaitable[x_ops.Result]]


async def fault_response(sandbox: Sandbox, fault: FaultSpec, real: Response | None) -> Response:
    """What an injected fault turns the answer into (``real`` is set when it already ran)."""
    if fault.kind == "hang":
        await asyncio.sleep(fault.hang_seconds)
        return real or _problem_response(problem(504, "Gateway Timeout", "Gateway Timeout"))
    if fault.kind == "rate_limit":
        error = problem(429, "Too Many Requests", "Too Many Requests")
        reset = str(int(sandbox.clock.now()) + fault.retry_after)
        error.headers = {
            "x-rate-limit-limit": "1",
            "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": reset,
        }
        return _problem_response(error)
    if fault.kind == "malformed_json":
        return Response(
            b'{"data":{"id":"',
            status_code=201 if real is None else real.status_code,
            media_type="application/json",
        )
    phrase = HTTPStatus(fault.status).phrase
    return _problem_response(problem(fault.status, phrase, phrase))


def _problem_response(error: XApiError) -> Response:
    return JSONResponse(error.body, error.status, headers=error.headers)


async def _json_body(request: Request) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise invalid_request("Requests with bodies must have content-type of application/json.")
    try:
        return json.loads(await request.body())
    except ValueError:
        raise invalid_request("Request body is not valid JSON.") from None


async def _form(request: Request) -> dict[str, Any]:
    try:
        form = await request.form(max_files=4, max_fields=32)
    except Exception:  # python-multipart raises several unrelated types
        raise invalid_request("Request body is not a valid form.") from None
    out: dict[str, Any] = {}
    for key, value in form.multi_items():
        out[key] = await value.read() if isinstance(value, UploadFile) else value
    return out


async def _fields(request: Request) -> dict[str, Any]:
    """A JSON object body or a form's fields (the media routes take either)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        return await _form(request)
    body = await _json_body(request)
    if not isinstance(body, dict):
        raise invalid_request("$: object expected")
    return body


def x_router(sandbox: Sandbox) -> APIRouter:
    """Routes for the emulated X API, bound to ``sandbox``."""
    router = APIRouter()

    def route(path: str, method: str, name: str, operation: Operation) -> None:
        async def endpoint(request: Request) -> Response:
            fault = sandbox.faults.take("x", name)
            if fault is not None and fault.kind == "slow":  # a late answer, otherwise as usual
                await asyncio.sleep(fault.delay_s)
                fault = None
            if fault is not None and not fault.after:
                return await fault_response(sandbox, fault, None)
            headers: dict[str, str] = {}
            try:
                caller = authenticate(request.headers.get("authorization"))
                config, now = sandbox.config, sandbox.clock.now()
                headers = sandbox.x_windows.admit(now, config.x_tier, name, caller, config.x_limits)
                if name == "create_tweet":
                    sandbox.x_windows.charge_cap(now, config.x_usage_cap, caller, config.x_tier)
                status, body = await operation(caller, request)
                response: Response = JSONResponse(body, status, headers=headers)
            except XApiError as exc:
                response = JSONResponse(exc.body, exc.status, headers={**headers, **exc.headers})
            except Exception:  # a sandbox bug must still answer in X's shape
                log.exception("sandbox: %s failed", name)
                error = problem(500, "Internal Server Error", "Internal Server Error")
                response = _problem_response(error)
            return response if fault is None else await fault_response(sandbox, fault, response)

        router.add_route(path, endpoint, methods=[method])

    async def create(caller: Caller, request: Request) -> x_ops.Result:
        return x_ops.create_tweet(sandbox, caller, await _json_body(request))

    async def delete(caller: Caller, request: Request) -> x_ops.Result:
        return x_ops.delete_tweet(sandbox, caller, request.path_params["tweet_id"])

    async def lookup(caller: Caller, request: Request) -> x_ops.Result:
        return x_ops.get_tweets(sandbox, dict(request.query_params))

    async def lookup_one(caller: Caller, request: Request) -> x_ops.Result:
        params = dict(request.query_params)
        return x_ops.get_tweets(sandbox, params, request.path_params["tweet_id"])

    async def me(caller: Caller, request: Request) -> x_ops.Result:
        return x_ops.get_me(sandbox, caller)

    async def timeline(caller: Caller, request: Request) -> x_ops.Result:
        params = dict(request.query_params)
        return x_ops.get_users_tweets(sandbox, request.path_params["user_id"], params)

    async def upload(caller: Caller, request: Request) -> x_ops.Result:
        return x_ops.media_upload(sandbox, caller, await _form(request))

    async def media_upload(caller: Caller, request: Request) -> x_ops.Result:
        return x_media.upload(sandbox, caller, await _fields(request))

    async def media_status(caller: Caller, request: Request) -> x_ops.Result:
        return x_media.status(sandbox, caller, dict(request.query_params))

    async def media_initialize(caller: Caller, request: Request) -> x_ops.Result:
        return x_media.initialize(sandbox, caller, await _fields(request))

    async def media_append(caller: Caller, request: Request) -> x_ops.Result:
        media_id = request.path_params["media_id"]
        return x_media.append(sandbox, caller, media_id, await _fields(request))

    async def media_finalize(caller: Caller, request: Request) -> x_ops.Result:
        return x_media.finalize(sandbox, caller, request.path_params["media_id"])

    async def media_metadata(caller: Caller, request: Request) -> x_ops.Result:
        return x_media.metadata(sandbox, caller, await _json_body(request))

    route("/2/media/upload", "POST", "media_upload", media_upload)
    route("/2/media/upload", "GET", "media_upload", media_status)
    route("/2/media/upload/initialize", "POST", "media_upload", media_initialize)
    route("/2/media/upload/{media_id}/append", "POST", "media_upload", media_append)
    route("/2/media/upload/{media_id}/finalize", "POST", "media_upload", media_finalize)
    route("/2/media/metadata", "POST", "media_metadata", media_metadata)
    route("/2/tweets", "POST", "create_tweet", create)
    route("/2/tweets", "GET", "get_tweets", lookup)
    route("/2/tweets/{tweet_id}", "GET", "get_tweets", lookup_one)
    route("/2/tweets/{tweet_id}", "DELETE", "delete_tweet", delete)
    route("/2/users/me", "GET", "get_me", me)
    route("/2/users/{user_id}/tweets", "GET", "get_users_tweets", timeline)
    route("/1.1/media/upload.json", "POST", "media_upload", upload)
    return router
