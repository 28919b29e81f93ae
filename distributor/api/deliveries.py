"""Managers' view of deliveries that need a person: list the in-doubt ones, resolve one.

The Bot API cannot read a channel's history, so a Telegram post whose answer was lost stays
``in_doubt`` (docs/architecture.md, "Ledger") until the reconciler's probe or a person looks
at the channel and says what happened.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field

from distributor.api.auth import require_scope
from distributor.api.deps import ContainerDep
from distributor.config import ApiToken
from distributor.models import ArticleEvent, Delivery, DeliveryState
from distributor.queue.names import FAN_OUT

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
    _token: Annotated[ApiToken, Depends(require_scope("deliveries:read"))],
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
    token: Annotated[ApiToken, Depends(require_scope("deliveries:resolve"))],
) -> Delivery:
    """Settle an in-doubt delivery: ``posted`` records it sent; ``not_posted`` sends it again."""
    ledger = container.ledger
    current = ledger.get(article_id, destination, revision)
    if current is None:
        raise HTTPException(404, f"no delivery {article_id}/{destination}/r{revision}")
    if current.state is not DeliveryState.IN_DOUBT:
        raise HTTPException(409, f"delivery is {current.state}, not in_doubt")
    article = container.articles.get(article_id)
    if body.outcome == "not_posted" and article is None:
        raise HTTPException(409, f"article {article_id!r} is not in the article store")
    reason = f"resolved by {token.name}: {body.outcome}" + (f" ({body.note})" if body.note else "")
    ids = (body.message_id,) if body.message_id else ()
    state = DeliveryState.SENT if body.outcome == "posted" else DeliveryState.PENDING
    if not ledger.resolve(current, state, reason, ids):
        raise HTTPException(409, "delivery was settled by someone else meanwhile")
    if article is not None and state is DeliveryState.PENDING:
        event = ArticleEvent(
            type="article.published", article=article.model_copy(update={"revision": revision})
        )  # fan-out is idempotent: only this pending delivery posts
        container.enqueue(FAN_OUT, {"event": event.model_dump(mode="json")})
    resolved = ledger.get(article_id, destination, revision)
    assert resolved is not None
    return resolved
