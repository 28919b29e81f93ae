"""``GET /metrics``: Prometheus text exposition of this deployment (``distributor.observe``):
the API's counters, every worker's when they share its multiprocess directory (as under
`distributor run`), and the queue and ledger gauges read from Redis at scrape time."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from distributor.api.deps import ContainerDep
from distributor.observe.metrics import exposition
from distributor.observe.state import StateCollector

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=Response)
def metrics(container: ContainerDep) -> Response:
    """The metrics, for Prometheus to scrape (docs/architecture.md, "Operations")."""
    body, content_type = exposition(StateCollector(container.redis, container.keys))
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})
