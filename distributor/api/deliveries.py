"""Managers' view of deliveries that need a person: list the in-doubt ones, resolve one.

The Bot API cannot read a channel's history, so a Telegram post whose answer was lost stays
``in_doubt`` (docs/architecture.md, "Ledger") until the reconciler's probe or a person looks
at the channel and says what happened.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.manage.tokens import Principal
from distributor.models import Delivery

router = APIRouter(tags=["deliveries"])
ArticleIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]


class InDoubtEntry(BaseModel):
    """One delivery that may or may not have been posted."""

    delivery: Delivery
    action: str
    since: float


class Resolution(BaseModel):
    """What the manager found: the post is there (with its id), or it is not."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["posted", "not_posted"]
    message_id: str | None = Field(default=None, pattern=r"^[0-9]{1,20}$")
    note: str = Field(default="", max_length=500)


@router.get("/v1/deliveries/in-doubt")
def in_doubt(
    container: ContainerDep,
    _token: Annotated[Principal, Depends(require_scope("deliveries:read"))],
) -> list[InDoubtEntry]:
    """Every in-doubt delivery, oldest first."""
    items = container.ledger.in_doubt_items()
    return [InDoubtEntry(delivery=i.delivery, action=i.action, since=i.since) for i in items]


@router.post("/v1/articles/{article_id}/deliveries/{destination}/{revision}/resolve")
def resolve(
    article_id: ArticleIdPath,
    destination: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")],
    revision: Annotated[int, Path(ge=1)],
    body: Resolution,
    container: ContainerDep,
    manager: Annotated[Principal, Depends(require_scope("deliveries:resolve"))],
) -> Delivery:
    """Settle an in-doubt delivery: ``posted`` records it sent; ``not_posted`` sends it again."""
    return container.managers.resolve(
        manager.name, article_id, destination, revision, body.outcome, body.message_id, body.note
    )
