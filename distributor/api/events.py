"""Intake and delivery routes: ``POST /v1/events``, ``GET /v1/articles/{id}/deliveries``,
``GET /healthz``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis import Redis, RedisError

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.api.errors import error_response
from distributor.errors import InvalidInput
from distributor.intake.service import receive
from distributor.intake.signature import MAX_HEADER_CHARS, SIGNATURE_HEADER
from distributor.manage.tokens import Principal
from distributor.models import ArticleEvent, Delivery
from distributor.publishing.links import live_links
from distributor.wiring import Container

router = APIRouter()
log = logging.getLogger(__name__)
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
    links: dict[str, list[str]] = {}  # destination → links to the post standing there now


class HeldPosts(BaseModel):
    """An X account whose posts wait for its budget (docs/architecture.md, "X budget")."""

    account: str
    held: int
    until: datetime
    why: str
    message: str


class Health(BaseModel):
    """``ok`` or the reason, for each dependency; and X posts held, if any (not an outage)."""

    status: str
    checks: dict[str, str]
    held: list[HeldPosts] = []


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
            "schema": {
                "type": "string",
                "maxLength": MAX_HEADER_CHARS,
                "pattern": "^t=[0-9]{1,12},v1=[0-9a-f]{64}$",
            },
            "description": 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">',
        }
    ],
}


@router.post("/v1/events", status_code=202, openapi_extra=_EVENT_BODY, tags=["intake"])
async def post_event(request: Request, container: ContainerDep) -> Accepted:
    """Verify, validate and queue one event; the same event again is reported as a duplicate."""
    require_json(request.headers.get("content-type"))
    body = await request.body()  # at most max_body_bytes: api/limits.py
    event_id, duplicate = await run_in_threadpool(
        receive, body, request.headers.get(SIGNATURE_HEADER), container
    )
    return Accepted(event_id=event_id, duplicate=duplicate)


@router.get("/v1/articles/{article_id}/deliveries", tags=["deliveries"])
def get_deliveries(
    article_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")],
    container: ContainerDep,
    _token: Annotated[Principal, Depends(require_scope("deliveries:read"))],
) -> ArticleDeliveries:
    """Delivery state, platform message ids, attempts and last error per destination (and
    per reshare: those carry their ``reshare`` id)."""
    ledger = container.ledger
    deliveries = ledger.list_deliveries(article_id)
    deliveries += ledger.list_deliveries(article_id, reshares=True)
    history = ledger.history(article_id)
    if not deliveries and not history:
        raise HTTPException(404, f"no deliveries recorded for article {article_id!r}")
    links = live_links(ledger, container.routing, article_id)
    return ArticleDeliveries(
        article_id=article_id, deliveries=deliveries, history=history, links=links
    )


@router.get("/healthz", tags=["health"], response_model=Health, responses={503: {"model": Health}})
def healthz(container: ContainerDep) -> Health | JSONResponse:
    """200 when Redis and the broker answer; 503 naming what is down (why: in the log only,
    since anyone may ask). Held X posts are listed either way (how many, until when, why)."""
    found = {"redis": _ping(container.redis), "broker": _ping_broker(container)}
    for name, state in found.items():
        if state != "ok":
            log.warning("healthz: %s is down: %s", name, state)
    checks = {name: "ok" if state == "ok" else "down" for name, state in found.items()}
    down = [f"{name} is down" for name, state in checks.items() if state != "ok"]
    if not down:
        return Health(status="ok", checks=checks, held=_held(container))
    return error_response(503, "; ".join(down), extra={"status": "unavailable", "checks": checks})


def _held(container: Container) -> list[HeldPosts]:
    return [
        HeldPosts(
            account=h.scope, held=h.held, until=datetime.fromtimestamp(h.until, UTC),
            why=h.why, message=h.describe(),
        )
        for h in container.x_budget.holds()
    ]  # fmt: skip


def require_json(content_type: str | None) -> None:
    """415 unless the request says ``application/json``."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise InvalidInput(
            f"Content-Type must be application/json, not {media or 'missing'!r}", 415
        )


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
