"""The reconciler (beat): settle in-doubt deliveries without ever posting blindly.

Expired leases become ``in_doubt`` first. Then each in-doubt delivery is checked on its platform:
a post citing the article found → ``sent`` with its ids (or deleted, if the article has been
unpublished since); surely absent (once ``min_age_s`` has passed since the doubt began, so a
slow worker or a lagging timeline cannot fool us) → ``pending`` and re-enqueued; unknowable
(Telegram without a probe chat) → the destination's ``on_in_doubt`` policy. In-doubt edits are
simply re-enqueued: repeating an edit cannot duplicate a post.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from distributor.errors import DeliveryError
from distributor.models import (
    Article,
    Delivery,
    DeliveryState,
    Destination,
    InDoubtPolicy,
)
from distributor.publishers.base import Lookup, Publisher
from distributor.publishing.articles import ArticleStore
from distributor.publishing.ledger import InDoubtItem, Ledger
from distributor.publishing.routing import RoutingTable

PublisherFor = Callable[[Destination], Publisher]  # the destination's account's publisher
CLOCK_SLACK_S = 30.0  # the platform's clock may run ahead of ours


@dataclass
class ReconcileReport:
    """What one pass did; ``requeue`` lists deliveries the caller must send again."""

    expired: list[Delivery] = field(default_factory=list)
    found: list[Delivery] = field(default_factory=list)
    requeue: list[tuple[Article, Destination]] = field(default_factory=list)
    requeue_reshares: list[tuple[str, Destination]] = field(default_factory=list)  # (id, dest)
    held: list[Delivery] = field(default_factory=list)
    assumed_sent: list[Delivery] = field(default_factory=list)
    deleted: list[Delivery] = field(default_factory=list)
    waiting: list[Delivery] = field(default_factory=list)
    errors: list[tuple[Delivery, str]] = field(default_factory=list)


def reconcile(
    ledger: Ledger,
    publishers: PublisherFor,
    routing: RoutingTable,
    articles: ArticleStore,
    *,
    min_age_s: float = 120.0,
) -> ReconcileReport:
    """One pass over the in-doubt set; safe to run concurrently with deliveries."""
    report = ReconcileReport(expired=ledger.expire_leases())
    for item in ledger.in_doubt_items():
        delivery = item.delivery
        try:
            destination = routing.get(delivery.destination)
        except KeyError:
            report.errors.append((delivery, "destination no longer in the routing file"))
            continue
        article = articles.get(delivery.article_id)
        if article is None:
            report.errors.append((delivery, "article not in the article store"))
            continue
        # the newest text under the record's revision: a later revision then edits or settles
        article = article.model_copy(update={"revision": delivery.revision})
        try:
            publisher = publishers(destination)
            _settle(item, article, destination, ledger, publisher, report, min_age_s)
        except DeliveryError as exc:
            report.errors.append((delivery, str(exc)))
    return report


def _settle(
    item: InDoubtItem,
    article: Article,
    destination: Destination,
    ledger: Ledger,
    publisher: Publisher,
    report: ReconcileReport,
    min_age_s: float,
) -> None:
    delivery = item.delivery
    unpublished = ledger.unpublished_revision(delivery.article_id, delivery.destination)
    gone = delivery.revision <= unpublished
    if item.action == "edit":
        if ledger.resolve(delivery, DeliveryState.PENDING, "in-doubt edit: repeat it") and not gone:
            report.requeue.append((article, destination))
        return
    latest = min(item.lease_until or item.since, item.since)  # no call outlives its lease
    known = _known_elsewhere(ledger, delivery)
    lookup = Lookup(
        article.url, item.after_id, ledger.high_water(delivery.destination),
        latest + CLOCK_SLACK_S, known,
    )  # fmt: skip
    ids = publisher.find_post(destination, lookup)
    if ids is None:
        if destination.on_in_doubt is InDoubtPolicy.ASSUME_SENT:
            if ledger.resolve(delivery, DeliveryState.SENT, "unverifiable: policy assume_sent"):
                report.assumed_sent.append(delivery)
        else:
            report.held.append(delivery)
        return
    if ids and not set(ids) & known:
        if gone:
            publisher.delete(destination, ids)
            if ledger.resolve(delivery, DeliveryState.DELETED, "found after unpublish, deleted"):
                report.deleted.append(delivery)
        else:
            method = "tweet" if destination.platform == "x" else ""
            if ledger.resolve(delivery, DeliveryState.SENT, "found on the platform", ids, method):
                report.found.append(delivery)
        return
    if ledger.now() - item.since < min_age_s:
        report.waiting.append(delivery)
    elif gone:
        if ledger.resolve(delivery, DeliveryState.DELETED, "not posted; article unpublished"):
            report.deleted.append(delivery)
    elif ledger.resolve(delivery, DeliveryState.PENDING, "not found on the platform"):
        if delivery.reshare is not None:
            report.requeue_reshares.append((delivery.reshare, destination))
        else:
            report.requeue.append((article, destination))


def _known_elsewhere(ledger: Ledger, delivery: Delivery) -> frozenset[str]:
    """Ids recorded for the article's other deliveries at this destination (other revisions',
    a repost policy's first post; reshares'): a post found among them is not this one."""
    everything = ledger.list_deliveries(delivery.article_id)
    everything += ledger.list_deliveries(delivery.article_id, reshares=True)
    mine = (delivery.revision, delivery.reshare)
    return frozenset(
        i
        for other in everything
        if other.destination == delivery.destination and (other.revision, other.reshare) != mine
        for i in other.message_ids
    )
