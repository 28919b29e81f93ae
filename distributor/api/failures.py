"""Failed deliveries a manager can act on: the list with the platform's reason, and a retry
through the same exactly-once path (docs/managers.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.manage.tokens import Principal
from distributor.models import Delivery

router = APIRouter(tags=["deliveries"])


class FailedEntry(BaseModel):
    """A failed delivery, since when (Unix seconds) and where to ask for a retry."""

    delivery: Delivery
    since: float
    retry_path: str


@router.get("/v1/deliveries/failed")
def failed(
    container: ContainerDep,
    _reader: Annotated[Principal, Depends(require_scope("deliveries:read"))],
) -> list[FailedEntry]:
    """Every failed delivery (articles' and reshares'), oldest first; ``delivery.error`` is
    the platform's reason."""
    out = []
    for item in container.managers.failed():
        d = item.delivery
        path = (
            f"/v1/reshares/{d.reshare}/deliveries/{d.destination}/retry"
            if d.reshare
            else f"/v1/articles/{d.article_id}/deliveries/{d.destination}/{d.revision}/retry"
        )
        out.append(FailedEntry(delivery=d, since=item.since, retry_path=path))
    return out


@router.post("/v1/articles/{article_id}/deliveries/{destination}/{revision}/retry")
def retry(
    article_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")],
    destination: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")],
    revision: Annotated[int, Path(ge=1, le=2**53)],
    container: ContainerDep,
    manager: Annotated[Principal, Depends(require_scope("deliveries:resolve"))],
) -> Delivery:
    """Send a failed delivery again: ``pending`` with its attempts from zero, then queued."""
    return container.managers.retry(manager.name, article_id, destination, revision=revision)
