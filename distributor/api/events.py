"""Intake and delivery routes: ``POST /v1/events``, ``GET /v1/articles/{id}/deliveries``,
``GET /healthz``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis import Redis, RedisError

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.api.errors import error_response
from distributor.config import ApiToken
from distributor.errors import InvalidInput
from distributor.intake.service import receive
from distributor.intake.signature import SIGNATURE_HEADER
from distributor.models import ArticleEvent, Delivery
from distributor.wiring import Container

router = APIRouter()
_PROBE_TIMEOUT_S = 2.0


class Accepted(BaseModel):
    """The answer to an accepted (or already accepted) event."""

    event_id: str
    duplicate: bool


class ArticleDeliveries(BaseModel):
    """Each destination's delivery of one article, and every ledger transition."""

    article_id: str
    deliveries: list[Delivery]
    history: list[dict[str, Any]]


class Health(BaseModel):
    """``ok`` or the reason, for each dependency."""

    status: str
    checks: dict[str, str]


def _inline_schema() -> dict[str, Any]:
    """ArticleEvent's JSON schema with its ``$defs`` inlined (OpenAPI resolves refs at root)."""
    schema = ArticleEvent.model_json_schema()
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    result: dict[str, Any] = resolve(schema)
    return result


_EVENT_BODY = {
    "requestBody": {
        "required": True,
        "description": "An ArticleEvent, or a WordPress REST post (`/wp/v2/posts/<id>?_embed`).",
        "content": {"application/json": {"schema": _inline_schema()}},
    },
    "parameters": [
        {
            "name": SIGNATURE_HEADER,
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
            "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
        }
    ],
}


@router.post("/v1/events", status_code=202, openapi_extra=_EVENT_BODY, tags=["intake"])
async def post_event(request: Request, container: ContainerDep) -> Accepted:
    """Verify, validate and queue one event; the same event again is reported as a duplicate."""
    require_json(request.headers.get("content-type"))
    body = await read_body(request, container.settings.max_body_bytes)
    event_id, duplicate = await run_in_threadpool(
        receive, body, request.headers.get(SIGNATURE_HEADER), container
    )
    return Accepted(event_id=event_id, duplicate=duplicate)


@router.get("/v1/articles/{article_id}/deliveries", tags=["deliveries"])
def get_deliveries(
    article_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")],
    container: ContainerDep,
    _token: Annotated[ApiToken, Depends(require_scope("deliveries:read"))],
) -> ArticleDeliveries:
    """Delivery state, platform message ids, attempts and last error per destination."""
    ledger = container.ledger
    deliveries, history = ledger.list_deliveries(article_id), ledger.history(article_id)
    if not deliveries and not history:
        raise HTTPException(404, f"no deliveries recorded for article {article_id!r}")
    return ArticleDeliveries(article_id=article_id, deliveries=deliveries, history=history)


@router.get("/healthz", tags=["health"], response_model=Health, responses={503: {"model": Health}})
def healthz(container: ContainerDep) -> Health | JSONResponse:
    """200 when Redis and the broker answer; 503 naming what is down."""
    checks = {"redis": _ping(container.redis), "broker": _ping_broker(container)}
    down = [f"{name} is down: {state}" for name, state in checks.items() if state != "ok"]
    if not down:
        return Health(status="ok", checks=checks)
    return error_response(503, "; ".join(down), extra={"status": "unavailable", "checks": checks})


def require_json(content_type: str | None) -> None:
    """415 unless the request says ``application/json``."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise InvalidInput(
            f"Content-Type must be application/json, not {media or 'missing'!r}", 415
        )


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise InvalidInput(f"Content-Length is not a number: {declared!r}", 400)
        if int(declared) > limit:
            raise InvalidInput(f"body is {declared} bytes, the limit is {limit}", 413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InvalidInput(f"body exceeds the limit of {limit} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def _ping(client: Redis) -> str:
    try:
        client.ping()
    except (RedisError, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def _ping_broker(container: Container) -> str:
    """Ping the broker; a short-lived client unless it is the same Redis as the data."""
    settings = container.settings
    if settings.broker == settings.redis_url:
        return _ping(container.redis)
    try:
        probe = Redis.from_url(
            settings.broker,
            socket_connect_timeout=_PROBE_TIMEOUT_S,
            socket_timeout=_PROBE_TIMEOUT_S,
        )
    except ValueError as exc:
        return f"unusable broker URL: {exc}"
    with probe:
        return _ping(probe)
