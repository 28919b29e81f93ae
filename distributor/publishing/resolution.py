"""A manager settles an in-doubt delivery: ``posted`` records it sent, ``not_posted`` sends it
again (docs/architecture.md, "Differences": managers settle what cannot be verified).

One plain function, called by the JSON route (``api/deliveries.py``) and the desk's Attention
page alike, so both refuse the same things with the same words.
"""

from __future__ import annotations

from typing import Literal

from distributor.errors import InvalidInput
from distributor.models import ArticleEvent, Delivery, DeliveryState
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.queue.broker import Enqueue
from distributor.queue.names import FAN_OUT

Outcome = Literal["posted", "not_posted"]


def resolve_in_doubt(
    ledger: Ledger,
    articles: ArticleStore,
    enqueue: Enqueue,
    where: tuple[str, str, int],
    outcome: Outcome,
    *,
    actor: str,
    message_id: str | None = None,
    note: str = "",
) -> Delivery:
    """Settle ``(article_id, destination, revision)``; ``InvalidInput`` (404 / 409) says why
    not. ``not_posted`` re-runs the idempotent fan-out, so only this delivery posts."""
    article_id, destination, revision = where
    current = ledger.get(*where)
    if current is None:
        raise InvalidInput(f"no delivery {article_id}/{destination}/r{revision}", 404)
    if current.state is not DeliveryState.IN_DOUBT:
        raise InvalidInput(f"delivery is {current.state}, not in_doubt", 409)
    article = articles.get(article_id)
    if outcome == "not_posted" and article is None:
        raise InvalidInput(f"article {article_id!r} is not in the article store", 409)
    reason = f"resolved by {actor}: {outcome}" + (f" ({note})" if note else "")
    ids = (message_id,) if message_id else ()
    state = DeliveryState.SENT if outcome == "posted" else DeliveryState.PENDING
    if not ledger.resolve(current, state, reason, ids):
        raise InvalidInput("delivery was settled by someone else meanwhile", 409)
    if article is not None and state is DeliveryState.PENDING:
        event = ArticleEvent(
            type="article.published", article=article.model_copy(update={"revision": revision})
        )
        enqueue(FAN_OUT, {"event": event.model_dump(mode="json")})
    resolved = ledger.get(*where)
    assert resolved is not None
    return resolved
