"""Reshares (docs/managers.md): ask for one now or later, the managers' calendar, cancel one,
and retry or resolve one destination's delivery. Handlers call ``Managers`` (audited)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from distributor.api.auth import require_scope
from distributor.api.deliveries import Resolution
from distributor.api.deps import ContainerDep
from distributor.errors import Refused
from distributor.formatting.reshare import LeadText
from distributor.manage.tokens import Principal
from distributor.models import Delivery
from distributor.publishing.reshares.records import Reshare, Target

router = APIRouter(tags=["reshares"])
ArticleIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
ReshareIdPath = Annotated[str, Path(pattern=r"^rs_[0-9a-f]{16}$")]
DestinationId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
DestinationPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Resharer = Annotated[Principal, Depends(require_scope("reshare"))]
Resolver = Annotated[Principal, Depends(require_scope("deliveries:resolve"))]
WEEK, MONTH = 7 * 86_400.0, 30 * 86_400.0


class ReshareBody(BaseModel):
    """A reshare request; every field may be left out."""

    model_config = ConfigDict(extra="forbid")

    destinations: list[DestinationId] | None = Field(default=None, min_length=1, max_length=20)
    at: AwareDatetime | None = None  # default: now
    text: LeadText | None = None  # a line that leads the post
    force: bool = False  # skip the cooldown


class ReshareAccepted(BaseModel):
    """The reshare's id and, per destination, what will happen or why not."""

    id: str
    article_id: str
    destinations: list[Target]


class Calendar(BaseModel):
    """Reshares first due between ``from`` and ``to``."""

    model_config = ConfigDict(populate_by_name=True)

    from_: datetime = Field(alias="from")
    to: datetime
    reshares: list[Reshare]


@router.post("/v1/articles/{article_id}/reshares", status_code=202)
def create_reshare(
    article_id: ArticleIdPath, body: ReshareBody, container: ContainerDep, manager: Resharer
) -> ReshareAccepted:
    """Reshare now or ``at``; 409 (naming the cooldown's end) when every destination refuses."""
    answer = container.managers.reshare(
        manager.name, article_id, destinations=body.destinations,
        at=body.at.timestamp() if body.at else None, text=body.text, force=body.force,
    )  # fmt: skip
    return ReshareAccepted(
        id=answer.reshare_id, article_id=article_id, destinations=list(answer.targets)
    )


@router.get("/v1/reshares", response_model_by_alias=True)
def calendar(
    container: ContainerDep,
    _manager: Resharer,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Calendar:
    """Scheduled, sent, failed and cancelled reshares first due in the window (default: a week
    back to a month ahead), earliest first."""
    now = time.time()
    low = start.timestamp() if start else now - WEEK
    high = end.timestamp() if end else now + MONTH
    if high < low or high - low > 366 * 86_400:
        raise Refused("from must come before to, at most a year apart", 422)
    found = container.reshares.calendar(low, high)
    window = Calendar.model_validate({"from": low, "to": high, "reshares": found})
    return window


@router.get("/v1/reshares/{reshare_id}")
def get_reshare(reshare_id: ReshareIdPath, container: ContainerDep, _manager: Resharer) -> Reshare:
    """One reshare and each destination's state."""
    found = container.reshares.get(reshare_id)
    if found is None:
        raise Refused(f"unknown reshare {reshare_id!r}", 404)
    return found


@router.delete("/v1/reshares/{reshare_id}")
def cancel_reshare(
    reshare_id: ReshareIdPath, container: ContainerDep, manager: Resharer
) -> Reshare:
    """Cancel the destinations that have not fired; 409 when every one has started."""
    return container.managers.cancel_reshare(manager.name, reshare_id)


@router.post("/v1/reshares/{reshare_id}/deliveries/{destination}/retry")
def retry_reshare(
    reshare_id: ReshareIdPath, destination: DestinationPath, container: ContainerDep,
    manager: Resolver,
) -> Delivery:  # fmt: skip
    """Send a failed reshare delivery again (exactly once, like the first time)."""
    request = container.reshare_store.request(reshare_id)
    article_id = request.article_id if request else ""
    return container.managers.retry(manager.name, article_id, destination, reshare_id=reshare_id)


@router.post("/v1/reshares/{reshare_id}/deliveries/{destination}/resolve")
def resolve_reshare(
    reshare_id: ReshareIdPath, destination: DestinationPath, body: Resolution,
    container: ContainerDep, manager: Resolver,
) -> Delivery:  # fmt: skip
    """Settle an in-doubt reshare delivery: ``posted`` records it; ``not_posted`` resends it."""
    request = container.reshare_store.request(reshare_id)
    article_id = request.article_id if request else ""
    return container.managers.resolve(
        manager.name, article_id, destination, None, body.outcome, body.message_id, body.note,
        reshare_id=reshare_id,
    )  # fmt: skip
