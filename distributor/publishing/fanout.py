"""Fan-out: record the article, plan its deliveries, create their ledger records, send them."""

from __future__ import annotations

from collections.abc import Callable

from distributor.models import ArticleEvent, Destination
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import Ledger
from distributor.publishing.routing import Action, RoutingTable, plan

SendDelivery = Callable[[ArticleEvent, Destination, Action], None]


def fan_out(
    event: ArticleEvent,
    routing: RoutingTable,
    ledger: Ledger,
    articles: ArticleStore,
    send: SendDelivery,
) -> list[tuple[str, Action]]:
    """Plan and send one delivery per destination; safe to repeat (the ledger dedupes)."""
    article = event.article
    articles.save(article, published=event.type != "article.unpublished")
    if event.type == "article.unpublished":
        articles.set_published(article.id, False)
        # wherever anything was posted (reshares too), is on its way or in doubt
        touched = {d.destination for d in ledger.list_deliveries(article.id)}
        touched |= {d.destination for d in ledger.list_deliveries(article.id, reshares=True)}
    else:
        touched = set(ledger.live_posts(article.id, (d.id for d in routing.destinations)))
    planned = plan(event, routing, sorted(touched))
    posting = (destination.id for destination, action in planned if action != "unpublish")
    ledger.ensure_all(article.id, posting, article.revision)  # every record before any send
    for destination, action in planned:
        send(event, destination, action)
    return [(destination.id, action) for destination, action in planned]
