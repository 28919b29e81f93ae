"""Managers' view of posts that were too late to make: list the skipped ones, send one by hand.

An X post that could not go out within its destination's ``max_delay`` is recorded ``skipped``
with the reason instead of being sent late (docs/architecture.md, "X budget"). A manager who
still wants it sends it by hand: it joins the account's queue again, newest articles first,
with a fresh ``max_delay``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, ConfigDict, Field

from distributor.api.auth import require_scope
from distributor.api.deliveries import ArticleIdPath
from distributor.api.deps import ContainerDep
from distributor.config import ApiToken
from distributor.models import Delivery, DeliveryState
from distributor.queue.names import DELIVER, deliver_queue

router = APIRouter(tags=["deliveries"])
DestinationPath = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]


class SendByHand(BaseModel):
    """Why the manager sends it anyway (kept in the delivery's history)."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=500)


@router.get("/v1/deliveries/skipped")
def skipped(
    container: ContainerDep,
    _token: Annotated[ApiToken, Depends(require_scope("deliveries:read"))],
) -> list[Delivery]:
    """Deliveries skipped in the last week as too late to post, newest first, with the reason."""
    return container.ledger.skipped_items()


@router.post("/v1/articles/{article_id}/deliveries/{destination}/{revision}/send")
def send_by_hand(
    article_id: ArticleIdPath,
    destination: DestinationPath,
    revision: Annotated[int, Path(ge=1)],
    body: SendByHand,
    container: ContainerDep,
    token: Annotated[ApiToken, Depends(require_scope("reshare"))],
) -> Delivery:
    """Send a skipped delivery after all: back to ``pending`` and queued for its account."""
    ledger = container.ledger
    current = ledger.get(article_id, destination, revision)
    if current is None:
        raise HTTPException(404, f"no delivery {article_id}/{destination}/r{revision}")
    if current.state is not DeliveryState.SKIPPED:
        raise HTTPException(409, f"delivery is {current.state}, not skipped")
    try:
        target = container.routing.get(destination)
    except KeyError:
        raise HTTPException(409, f"destination {destination!r} is no longer routed") from None
    article = container.articles.get(article_id)
    if article is None:
        raise HTTPException(409, f"article {article_id!r} is not in the article store")
    reason = f"sent by hand by {token.name}" + (f" ({body.note})" if body.note else "")
    if not ledger.unskip(article_id, destination, revision, reason):
        raise HTTPException(409, "delivery changed meanwhile")
    kwargs = {
        "article": article.model_copy(update={"revision": revision}).model_dump(mode="json"),
        "destination": destination,
        "action": "publish",
    }
    container.enqueue(DELIVER, kwargs, deliver_queue(target.platform))
    sent = ledger.get(article_id, destination, revision)
    assert sent is not None
    return sent
